/**
 * The Worker's database client over libSQL's HTTP API (worker/db-http.ts, what getDb uses for every statement):
 * against the real dev server, each read must give exactly what the libSQL client gives, cell for cell (as
 * arrays), through drizzle too; each write what the client gives (rows by name, counts, ids), all or nothing;
 * errors must carry what the retry layer and the constraint checks read; and what only the client does
 * (transactions) must still work.
 */
import { createClient, type Client } from '@libsql/client/web';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slots, users } from '../../db/schema.ts';
import { isConstraintError } from '../../worker/db.ts';
import { DbHttpError, HttpDbClient, databaseClient, pipelineUrl } from '../../worker/db-http.ts';
import { transientKind } from '../../worker/db-retry.ts';
import { startMigratedServer, type Database } from './backends.ts';
import { HOUR, MONDAY_9AM, countSlots, givenSlot, givenTeacher, insertSlot } from './given.ts';

let database: Database;
let client: Client;
let arrays: Client;

beforeAll(async () => {
  database = await startMigratedServer(createClient);
  client = database.client();
  arrays = databaseClient(database.url, database.authToken);
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
    const wrongToken = databaseClient(database.url, 'not-the-token');
    const failure = await wrongToken.execute('SELECT 1').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DbHttpError);
    expect((failure as DbHttpError).status).toBe(401);
  });
});

describe('writes', () => {
  it('give what the client gives: rows by name and by index, counts, the inserted row id', async () => {
    const teacher = await givenTeacher(client);
    const rename = (name: string) => ({
      sql: `UPDATE teachers SET display_name = ? WHERE id = ? RETURNING display_name, id`,
      args: [name, teacher.id],
    });
    const [expected, actual] = [await client.execute(rename('Changed')), await arrays.execute(rename('Changed'))];
    expect(actual.rows[0]!.display_name).toBe('Changed');
    expect(actual.rows[0]![0]).toBe('Changed');
    expect({ ...actual.rows[0] }).toEqual({ ...expected.rows[0] });
    expect(cells(actual.rows)).toEqual(cells(expected.rows));
    expect([actual.columns, actual.rowsAffected]).toEqual([expected.columns, expected.rowsAffected]);
    const insert = await arrays.execute(insertSlot(teacher.id, MONDAY_9AM + 5 * HOUR));
    expect(insert.rowsAffected).toBe(1);
    expect(typeof insert.lastInsertRowid).toBe('bigint');
    expect(insert.rows).toEqual([]);
  });

  it('in a batch, run in one transaction and give each statement its answer', async () => {
    const teacher = await givenTeacher(client);
    const [inserted, renamed, read] = await arrays.batch(
      [
        insertSlot(teacher.id, MONDAY_9AM),
        { sql: `UPDATE teachers SET display_name = 'Again' WHERE id = ?`, args: [teacher.id] },
        {
          sql: 'SELECT display_name, (SELECT count(*) FROM slots WHERE teacher_id = ?) AS slots FROM teachers WHERE id = ?',
          args: [teacher.id, teacher.id],
        },
      ],
      'write',
    );
    expect([inserted!.rowsAffected, renamed!.rowsAffected]).toEqual([1, 1]);
    expect(read!.rows[0]!.display_name).toBe('Again');
    expect(read!.rows[0]!.slots).toBe(1);
  });

  it('through drizzle, read back what they wrote, by name in raw SQL as in builder queries', async () => {
    const teacher = await givenTeacher(client);
    const db = drizzle({ client: arrays });
    const slotId = crypto.randomUUID();
    const [inserted, [raw]] = await db.batch([
      db
        .insert(slots)
        .values({
          id: slotId,
          teacherId: teacher.id,
          startsAt: MONDAY_9AM,
          endsAt: MONDAY_9AM + HOUR,
          status: 'open',
          createdAt: 1,
          updatedAt: 1,
        })
        .returning({ id: slots.id, startsAt: slots.startsAt }),
      db.all<{ slotId: string }>(sql`UPDATE slots SET status = 'booked' WHERE id = ${slotId} RETURNING id AS slotId`),
    ]);
    expect(inserted).toEqual([{ id: slotId, startsAt: MONDAY_9AM }]);
    expect(raw).toEqual({ slotId });
  });

  it("a refused statement rolls the whole batch back and says why, a trigger's marker and a unique key included", async () => {
    const teacher = await givenTeacher(client);
    await givenSlot(client, teacher.id, MONDAY_9AM);
    const overlap = await arrays
      .batch([insertSlot(teacher.id, MONDAY_9AM + 3 * HOUR), insertSlot(teacher.id, MONDAY_9AM + HOUR / 2)], 'write')
      .catch((e: unknown) => e);
    expect(isConstraintError(overlap, 'SLOT_OVERLAP')).toBe(true);
    expect(transientKind(overlap)).toBeNull();
    expect(await countSlots(client, teacher.id)).toBe(1);
    const twin = {
      sql: 'INSERT INTO teachers (id, display_name, time_zone, created_at, updated_at) VALUES (?, ?, ?, 1, 1)',
      args: [teacher.id, 'Twin', 'UTC'],
    };
    const duplicate = await arrays.execute(twin).catch((e: unknown) => e);
    const expected = await client.execute(twin).catch((e: unknown) => e);
    expect((duplicate as Error).message).toBe((expected as Error).message);
    expect((duplicate as { code?: string }).code).toBe((expected as { code?: string }).code);
    expect((duplicate as Error).message).toContain('teachers.id');
  });
});

describe('what only the libSQL client does', () => {
  it('an interactive transaction still works, through a client made for it', async () => {
    const teacher = await givenTeacher(client);
    const tx = await arrays.transaction('write');
    await tx.execute(insertSlot(teacher.id, MONDAY_9AM));
    await tx.rollback();
    expect(await countSlots(client, teacher.id)).toBe(0);
  });

  it('a URL this module does not speak to is left to the client', () => {
    expect(pipelineUrl('libsql://db.example.turso.io')).toBe('https://db.example.turso.io/v2/pipeline');
    expect(pipelineUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/v2/pipeline');
    expect(pipelineUrl('libsql://db.example.turso.io?tls=0')).toBeNull();
    expect(pipelineUrl('ws://127.0.0.1:8080')).toBeNull();
    expect(databaseClient('http://127.0.0.1:8080', undefined)).toBeInstanceOf(HttpDbClient);
    expect(databaseClient('libsql://127.0.0.1:8080?tls=0', undefined)).not.toBeInstanceOf(HttpDbClient);
  });
});
