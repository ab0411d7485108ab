/**
 * Reads answered as array rows (worker/db-array-reads.ts, what getDb uses for every read): against the real dev
 * server, each read must give exactly what the libSQL client gives, cell for cell, through drizzle too; errors
 * must carry what the retry layer reads; and everything that isn't a read must still go through the client.
 */
import { createClient, type Client } from '@libsql/client/web';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slots, users } from '../../db/schema.ts';
import { DbHttpError, pipelineUrl, withArrayReads } from '../../worker/db-array-reads.ts';
import { transientKind } from '../../worker/db-retry.ts';
import { startMigratedServer, type Database } from './backends.ts';
import { HOUR, MONDAY_9AM, givenSlot, givenTeacher } from './given.ts';

let database: Database;
let client: Client;
let arrays: Client;

beforeAll(async () => {
  database = await startMigratedServer(createClient);
  client = database.client();
  arrays = withArrayReads(database.client(), database.url, database.authToken);
});
afterAll(() => database?.stop());

/** The client's rows as plain arrays of their cells. */
const cells = (rows: readonly ArrayLike<unknown>[]) => rows.map((row) => Array.prototype.slice.call(row));

describe('reads', () => {
  it('give every kind of cell as the client does', async () => {
    const statement = {
      sql: `SELECT 1 AS one, -9007199254740991 AS low, 2.5 AS half, ? AS given_float, 'text ✓' AS words, NULL AS absent,
              x'00ff10' AS bytes, ? AS flag, ? AS big`,
      args: [1.25, true, 9007199254740991n],
    };
    const [expected, actual] = await Promise.all([client.execute(statement), arrays.execute(statement)]);
    expect(actual.rows).toEqual(cells(expected.rows));
    expect(actual.columns).toEqual(expected.columns);
    expect(Array.isArray(actual.rows[0])).toBe(true);
  });

  it('refuse an integer JavaScript cannot hold, as the client does', async () => {
    await expect(client.execute('SELECT 9007199254740993')).rejects.toThrow(RangeError);
    await expect(arrays.execute('SELECT 9007199254740993')).rejects.toThrow(RangeError);
  });

  it('in a batch, read one consistent snapshot and give each statement its rows', async () => {
    const teacher = await givenTeacher(client);
    await givenSlot(client, teacher.id);
    await givenSlot(client, teacher.id, MONDAY_9AM + 2 * HOUR);
    const batch = [
      { sql: 'SELECT id, starts_at FROM slots WHERE teacher_id = ? ORDER BY starts_at', args: [teacher.id] },
      { sql: 'SELECT count(*) FROM slots WHERE teacher_id = ?', args: [teacher.id] },
      'SELECT 7',
    ];
    const [expected, actual] = await Promise.all([client.batch(batch, 'deferred'), arrays.batch(batch, 'deferred')]);
    expect(actual.map((r) => r.rows)).toEqual(expected.map((r) => cells(r.rows)));
    expect(actual[1]!.rows).toEqual([[2]]);
    const readOnly = await arrays.batch(batch, 'read');
    expect(readOnly.map((r) => r.rows)).toEqual(actual.map((r) => r.rows));
  });

  it('through drizzle, give the same objects as the client', async () => {
    const teacher = await givenTeacher(client);
    await givenSlot(client, teacher.id);
    const query = (c: Client) =>
      drizzle(c)
        .select({ slot: slots, email: users.email })
        .from(slots)
        .innerJoin(users, eq(users.id, slots.teacherId))
        .where(eq(slots.teacherId, teacher.id));
    const [expected, actual] = await Promise.all([query(client), query(arrays)]);
    expect(actual).toEqual(expected);
    expect(actual).toHaveLength(1);
    const [batchExpected, batchActual] = await Promise.all([
      drizzle(client).batch([query(client), query(client)]),
      drizzle(arrays).batch([query(arrays), query(arrays)]),
    ]);
    expect(batchActual).toEqual(batchExpected);
  });
});

describe('failures', () => {
  it('a statement the database refuses says why, with its code, and is not worth another try', async () => {
    const failure = await arrays.execute('SELECT * FROM no_such_table').catch((e: unknown) => e);
    expect((failure as Error).message).toContain('no_such_table');
    expect((failure as { code?: string }).code).toBe('SQLITE_ERROR');
    expect(transientKind(failure)).toBeNull();
    const inBatch = await arrays
      .batch(['SELECT 1', 'SELECT * FROM no_such_table'], 'deferred')
      .catch((e: unknown) => e);
    expect((inBatch as Error).message).toContain('no_such_table');
  });

  it('an HTTP refusal carries its status', async () => {
    const wrongToken = withArrayReads(database.client(), database.url, 'not-the-token');
    const failure = await wrongToken.execute('SELECT 1').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DbHttpError);
    expect((failure as DbHttpError).status).toBe(401);
  });
});

describe('everything else', () => {
  it('writes, and a batch that writes, go through the client and keep its rows', async () => {
    const teacher = await givenTeacher(client);
    const inserted = await arrays.execute({
      sql: `UPDATE teachers SET display_name = 'Changed' WHERE id = ? RETURNING display_name`,
      args: [teacher.id],
    });
    expect(inserted.rows[0]!.display_name).toBe('Changed');
    const [, read] = await arrays.batch(
      [
        { sql: `UPDATE teachers SET display_name = 'Again' WHERE id = ?`, args: [teacher.id] },
        { sql: 'SELECT display_name FROM teachers WHERE id = ?', args: [teacher.id] },
      ],
      'write',
    );
    expect(read!.rows[0]!.display_name).toBe('Again');
  });

  it('a URL this module does not speak to is left to the client', () => {
    expect(pipelineUrl('libsql://db.example.turso.io')).toBe('https://db.example.turso.io/v2/pipeline');
    expect(pipelineUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/v2/pipeline');
    expect(pipelineUrl('libsql://db.example.turso.io?tls=0')).toBeNull();
    expect(pipelineUrl('ws://127.0.0.1:8080')).toBeNull();
    expect(withArrayReads(client, 'ws://127.0.0.1:8080', undefined)).toBe(client);
  });
});
