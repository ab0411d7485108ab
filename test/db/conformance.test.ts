/**
 * One database suite, two backends: the project's libSQL dev server (Hrana over HTTP, as Turso is reached)
 * and the embedded libSQL client on a file. Both run the real migrations and must behave identically for
 * everything Slotcast relies on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, LibsqlError, type Client, type Config } from '@libsql/client';
import { createClient as createWebClient } from '@libsql/client/web';
import { drizzle } from 'drizzle-orm/libsql';
import { eq } from 'drizzle-orm';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startLibsqlServer, type LibsqlServer } from '../../db/server/index.ts';
import { migrate } from '../../db/migrate.ts';
import * as schema from '../../db/schema.ts';

interface Backend {
  name: string;
  setup(dir: string): Promise<{ url: string; close(): Promise<void> }>;
  client(url: string, extra?: Partial<Config>): Client;
}

const backends: Backend[] = [
  {
    name: 'the libSQL dev server over HTTP',
    async setup(dir) {
      const server = await startLibsqlServer({ file: join(dir, 'server.db'), idleStreamMs: 400 });
      return { url: server.url, close: () => server.close() };
    },
    client: (url, extra) => createClient({ url, ...extra }),
  },
  {
    name: 'the libSQL dev server through the web client the Worker uses',
    async setup(dir) {
      const server = await startLibsqlServer({ file: join(dir, 'web.db'), idleStreamMs: 400 });
      return { url: server.url, close: () => server.close() };
    },
    client: (url, extra) => createWebClient({ url, ...extra }) as unknown as Client,
  },
  {
    name: 'the embedded client on a file',
    async setup(dir) {
      return { url: `file:${join(dir, 'embedded.db')}`, close: async () => {} };
    },
    client: (url, extra) => createClient({ url, ...extra }),
  },
];

const now = 1_900_000_000_000;
const insertUser = (email: string) => ({ sql: "INSERT INTO users (id, email, role, created_at, updated_at) VALUES (?, ?, 'teacher', 0, 0)", args: [randomUUID(), email] });

async function errorOf(promise: Promise<unknown>): Promise<LibsqlError> {
  try {
    await promise;
  } catch (error) {
    return error as LibsqlError;
  }
  throw new Error('expected the statement to fail');
}

describe.each(backends)('database behaviour on $name', (backend) => {
  let dir: string;
  let handle: { url: string; close(): Promise<void> };
  let db: Client;
  let teacherId: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slotcast-db-'));
    handle = await backend.setup(dir);
    await migrate(handle.url);
    db = backend.client(handle.url);
    teacherId = randomUUID();
    await db.batch([
      { sql: "INSERT INTO users (id, email, role, created_at, updated_at) VALUES (?, ?, 'teacher', 0, 0)", args: [teacherId, `${teacherId}@example.test`] },
      { sql: "INSERT INTO teachers (id, display_name, time_zone, created_at, updated_at) VALUES (?, 'T', 'UTC', 0, 0)", args: [teacherId] },
    ]);
  });
  afterAll(async () => {
    db?.close();
    await handle?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const insertSlot = (startsAt: number, minutes = 60, id = randomUUID()) => ({
    sql: 'INSERT INTO slots (id, teacher_id, starts_at, ends_at, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0)',
    args: [id, teacherId, startsAt, startsAt + minutes * 60_000],
  });

  it('applies migrations again without error', async () => {
    await migrate(handle.url);
    const tables = await db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'bookings'");
    expect(tables.rows).toHaveLength(1);
  });

  it('refuses a second account with the same email with SQLITE_CONSTRAINT', async () => {
    await db.execute(insertUser('dup@example.test'));
    const error = await errorOf(db.execute(insertUser('dup@example.test')));
    expect(error).toBeInstanceOf(LibsqlError);
    expect(error.code).toBe('SQLITE_CONSTRAINT');
    expect(error.message).toMatch(/UNIQUE constraint failed: users.email/);
  });

  it('refuses an overlapping slot through the trigger, naming SLOT_OVERLAP', async () => {
    await db.execute(insertSlot(now));
    const error = await errorOf(db.execute(insertSlot(now + 30 * 60_000)));
    expect(error.code).toBe('SQLITE_CONSTRAINT');
    expect(error.message).toContain('SLOT_OVERLAP');
    await db.execute(insertSlot(now + 60 * 60_000)); // back to back is fine
  });

  it('rolls back a whole batch when one statement fails', async () => {
    const marker = `batch-${randomUUID()}@example.test`;
    await expect(db.batch([insertUser(marker), insertSlot(now + 10 * 86_400_000), insertSlot(now + 10 * 86_400_000 + 60_000)], 'write')).rejects.toThrow(/SLOT_OVERLAP/);
    expect((await db.execute({ sql: 'SELECT count(*) AS n FROM users WHERE email = ?', args: [marker] })).rows[0]!.n).toBe(0);
    expect((await db.execute({ sql: 'SELECT count(*) AS n FROM slots WHERE starts_at = ?', args: [now + 10 * 86_400_000] })).rows[0]!.n).toBe(0);
  });

  it('returns results of every step of a successful batch, including RETURNING rows', async () => {
    const [insert, bump] = await db.batch([insertSlot(now + 20 * 86_400_000), { sql: 'UPDATE teachers SET calendar_version = calendar_version + 1 WHERE id = ? RETURNING calendar_version', args: [teacherId] }], 'write');
    expect(insert!.rowsAffected).toBe(1);
    // The embedded client reports rowsAffected 0 for a statement with RETURNING (Turso reports the count):
    // Slotcast reads RETURNING rows, never that count, so only the rows are part of the contract.
    expect(bump!.rows[0]!.calendar_version).toBe(1);
  });

  it('allows one scheduled booking per slot, and a new one after a cancellation', async () => {
    const slotId = randomUUID();
    await db.execute(insertSlot(now + 30 * 86_400_000, 60, slotId));
    const booking = (status: string) => ({
      sql: "INSERT INTO bookings (id, slot_id, teacher_id, status, starts_at, ends_at, scheduled_at, source) VALUES (?, ?, ?, ?, 0, 0, 0, 'share_link')",
      args: [randomUUID(), slotId, teacherId, status],
    });
    await db.execute(booking('scheduled'));
    const error = await errorOf(db.execute(booking('scheduled')));
    expect(error.code).toBe('SQLITE_CONSTRAINT');
    await db.execute({ sql: "UPDATE bookings SET status = 'canceled' WHERE slot_id = ?", args: [slotId] });
    await db.execute(booking('scheduled'));
    expect((await db.execute({ sql: 'SELECT status FROM bookings WHERE slot_id = ? ORDER BY status', args: [slotId] })).rows.map((r) => r.status)).toEqual(['canceled', 'scheduled']);
  });

  it('commits an interactive transaction, whose reads see its own writes', async () => {
    const email = `tx-${randomUUID()}@example.test`;
    const tx = await db.transaction('write');
    await tx.execute(insertUser(email));
    expect((await tx.execute({ sql: 'SELECT count(*) AS n FROM users WHERE email = ?', args: [email] })).rows[0]!.n).toBe(1);
    await tx.commit();
    expect((await db.execute({ sql: 'SELECT count(*) AS n FROM users WHERE email = ?', args: [email] })).rows[0]!.n).toBe(1);
  });

  it('rolls back an interactive transaction, and others never see its writes', async () => {
    const email = `rb-${randomUUID()}@example.test`;
    const tx = await db.transaction('write');
    await tx.execute(insertUser(email));
    const other = backend.client(handle.url);
    expect((await other.execute({ sql: 'SELECT count(*) AS n FROM users WHERE email = ?', args: [email] })).rows[0]!.n).toBe(0);
    await tx.rollback();
    expect((await other.execute({ sql: 'SELECT count(*) AS n FROM users WHERE email = ?', args: [email] })).rows[0]!.n).toBe(0);
    other.close();
  });

  it('binds positional and named arguments', async () => {
    const positional = await db.execute({ sql: 'SELECT ? + ? AS sum', args: [2, 3] });
    expect(positional.rows[0]!.sum).toBe(5);
    const named = await db.execute({ sql: 'SELECT :a || @b || $c AS joined', args: { a: 'x', b: 'y', c: 'z' } });
    expect(named.rows[0]!.joined).toBe('xyz');
    expect(named.columns).toEqual(['joined']);
  });

  it('round-trips blobs, floats, nulls and integers beyond 2^53 exactly', async () => {
    const bigClient = backend.client(handle.url, { intMode: 'bigint' });
    const result = await bigClient.execute({ sql: 'SELECT ? AS b, ? AS f, ? AS n, 9007199254740993 AS big', args: [new Uint8Array([0, 1, 255]), 1.5, null] });
    const row = result.rows[0]!;
    expect(new Uint8Array(row.b as ArrayBuffer)).toEqual(new Uint8Array([0, 1, 255]));
    expect(row.f).toBe(1.5);
    expect(row.n).toBeNull();
    expect(row.big).toBe(9007199254740993n);
    bigClient.close();
  });

  it('runs several statements with executeMultiple', async () => {
    await db.executeMultiple('CREATE TABLE IF NOT EXISTS scratch (v INTEGER); INSERT INTO scratch VALUES (1); INSERT INTO scratch VALUES (2);');
    expect((await db.execute('SELECT sum(v) AS s FROM scratch')).rows[0]!.s).toBe(3);
  });

  it('keeps 20 concurrent writers from separate clients apart', async () => {
    const clients = Array.from({ length: 20 }, () => backend.client(handle.url));
    const base = now + 100 * 86_400_000;
    await Promise.all(clients.map((c, i) => c.batch([insertSlot(base + i * 3_600_000, 30), { sql: 'UPDATE teachers SET calendar_version = calendar_version + 1 WHERE id = ?', args: [teacherId] }], 'write')));
    expect((await db.execute({ sql: 'SELECT count(*) AS n FROM slots WHERE starts_at >= ?', args: [base] })).rows[0]!.n).toBe(20);
    for (const c of clients) c.close();
  });

  it('serves drizzle queries and batches on the real schema', async () => {
    const orm = drizzle(backend.client(handle.url), { schema });
    const id = randomUUID();
    await orm.batch([
      orm.insert(schema.users).values({ id, email: `orm-${id}@example.test`, role: 'student', createdAt: 0, updatedAt: 0 }),
      orm.update(schema.users).set({ name: 'Orm' }).where(eq(schema.users.id, id)),
    ]);
    const [user] = await orm.select().from(schema.users).where(eq(schema.users.id, id));
    expect(user).toMatchObject({ name: 'Orm', role: 'student' });
  });
});

describe('dev server only', () => {
  let dir: string;
  let server: LibsqlServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slotcast-db-'));
    server = await startLibsqlServer({ file: join(dir, 'auth.db'), authToken: 'correct-horse', idleStreamMs: 300 });
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a wrong bearer token and accepts the right one', async () => {
    const wrong = createClient({ url: server.url, authToken: 'nope' });
    await expect(wrong.execute('SELECT 1')).rejects.toThrow();
    const right = createClient({ url: server.url, authToken: 'correct-horse' });
    expect((await right.execute('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    wrong.close();
    right.close();
  });

  it('expires an idle transaction, rolling its writes back', async () => {
    const client = createClient({ url: server.url, authToken: 'correct-horse' });
    await client.execute('CREATE TABLE IF NOT EXISTS t (v TEXT)');
    const tx = await client.transaction('write');
    await tx.execute("INSERT INTO t VALUES ('left open')");
    await new Promise((r) => setTimeout(r, 700));
    await expect(tx.execute('SELECT 1')).rejects.toThrow();
    expect((await client.execute('SELECT count(*) AS n FROM t')).rows[0]!.n).toBe(0);
    client.close();
  });
});
