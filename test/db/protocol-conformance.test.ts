/**
 * Protocol conformance: the libSQL dev server (through `@libsql/client` and `@libsql/client/web`) and the
 * embedded client on a file, each with the project's real migrations, must behave the same for everything the
 * app relies on: batches, interactive transactions, statements and values, drizzle-orm on top. Tests marked
 * "(dev server)" check what only a server has. The schema's own rules are in schema-rules.test.ts.
 */
import { LibsqlBatchError, type Client } from '@libsql/client';
import { createClient as createWebClient } from '@libsql/client/web';
import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../../db/schema.ts';
import { until } from '../support/until.ts';
import { backends, startMigratedServer, type Database } from './backends.ts';
import { errorCodesAcrossBackends } from './error-codes.ts';
import {
  CREATED_AT,
  HOUR,
  MINUTE,
  MONDAY_9AM,
  countSlots,
  givenSlot,
  givenTeacher,
  givenUser,
  insertSlot,
  libsqlErrorOf,
  newId,
  uniqueEmail,
} from './given.ts';

const codes = errorCodesAcrossBackends();
const recordCode = codes.record;

/** An error's message followed by those of its causes. */
function messages(error: unknown): string {
  const parts: string[] = [];
  for (let e = error; e instanceof Error; e = e.cause) parts.push(e.message);
  return parts.join(' <- ');
}

describe.each(backends)('$name', (backend) => {
  let database: Database;
  let client: Client;
  beforeAll(async () => {
    database = await backend.start();
    client = database.client();
  });
  afterAll(() => database?.stop());

  describe('batches', () => {
    it('leaves nothing of the first two statements when the third fails', async () => {
      const teacher = await givenTeacher(client);
      const batch = client.batch(
        [
          insertSlot(teacher.id, MONDAY_9AM),
          insertSlot(teacher.id, MONDAY_9AM + 2 * HOUR),
          insertSlot(teacher.id, MONDAY_9AM + 30 * MINUTE),
        ],
        'write',
      );
      const error = await libsqlErrorOf(batch);
      expect(error).toBeInstanceOf(LibsqlBatchError);
      expect((error as LibsqlBatchError).statementIndex).toBe(2);
      expect(error.message).toContain('SLOT_OVERLAP');
      recordCode('failed batch', backend.name, error);
      expect(await countSlots(client, teacher.id)).toBe(0);
    });

    it('applies a write batch as a whole and returns each statement’s result, RETURNING rows included', async () => {
      const teacher = await givenTeacher(client);
      const results = await client.batch(
        [
          insertSlot(teacher.id, MONDAY_9AM),
          insertSlot(teacher.id, MONDAY_9AM + HOUR),
          { sql: 'UPDATE teachers SET calendar_version = calendar_version + 1 WHERE id = ?', args: [teacher.id] },
          {
            sql: 'UPDATE teachers SET calendar_version = calendar_version + 1 WHERE id = ? RETURNING calendar_version',
            args: [teacher.id],
          },
          { sql: 'SELECT calendar_version FROM teachers WHERE id = ?', args: [teacher.id] },
        ],
        'write',
      );
      // rowsAffected of a statement with RETURNING differs (Turso and the dev server count the rows, the
      // embedded client reports 0), so the app reads RETURNING rows, never that count.
      expect(results.map((r) => r.rowsAffected).slice(0, 3)).toEqual([1, 1, 1]);
      expect(Number(results[3]!.rows[0]!.calendar_version)).toBe(2);
      expect(Number(results[4]!.rows[0]!.calendar_version)).toBe(2);
      expect(await countSlots(client, teacher.id)).toBe(2);
    });

    it('reads in a read batch and in a deferred batch', async () => {
      const teacher = await givenTeacher(client);
      await givenSlot(client, teacher.id);
      const count = { sql: 'SELECT count(*) AS n FROM slots WHERE teacher_id = ?', args: [teacher.id] };
      for (const mode of ['read', 'deferred'] as const) {
        const [slots, teachers] = await client.batch(
          [count, { sql: 'SELECT id FROM teachers WHERE id = ?', args: [teacher.id] }],
          mode,
        );
        expect(Number(slots!.rows[0]!.n)).toBe(1);
        expect(teachers!.rows[0]!.id).toBe(teacher.id);
      }
    });

    it('serves many concurrent statements and batches through one shared client', async () => {
      const teacher = await givenTeacher(client);
      const work = Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0
          ? client.execute(insertSlot(teacher.id, MONDAY_9AM + i * HOUR))
          : client.batch(
              [
                insertSlot(teacher.id, MONDAY_9AM + i * HOUR),
                { sql: 'SELECT count(*) FROM slots WHERE teacher_id = ?', args: [teacher.id] },
              ],
              'write',
            ),
      );
      await Promise.all(work);
      expect(await countSlots(client, teacher.id)).toBe(40);
    });

    it('runs twenty write batches from separate clients at once without losing one', async () => {
      const shared = await givenTeacher(client);
      const writers = await Promise.all(
        Array.from({ length: 20 }, async () => ({ client: database.client(), teacher: await givenTeacher(client) })),
      );
      const outcomes = await Promise.allSettled(
        writers.map(({ client: writer, teacher }) =>
          writer.batch(
            [
              insertSlot(teacher.id, MONDAY_9AM),
              insertSlot(teacher.id, MONDAY_9AM + HOUR),
              { sql: 'UPDATE teachers SET calendar_version = calendar_version + 1 WHERE id = ?', args: [shared.id] },
            ],
            'write',
          ),
        ),
      );
      expect(outcomes.map((o) => o.status)).toEqual(Array(20).fill('fulfilled'));
      const version = await client.execute({
        sql: 'SELECT calendar_version FROM teachers WHERE id = ?',
        args: [shared.id],
      });
      expect(Number(version.rows[0]!.calendar_version)).toBe(20);
      for (const { teacher } of writers) expect(await countSlots(client, teacher.id)).toBe(2);
      const integrity = await client.execute('PRAGMA integrity_check');
      expect(integrity.rows[0]![0]).toBe('ok');
    });
  });

  describe('interactive transactions', () => {
    it('makes its writes visible to others only once it commits', async () => {
      const teacher = await givenTeacher(client);
      const reader = database.client();
      const tx = await client.transaction('write');
      try {
        await tx.execute(insertSlot(teacher.id, MONDAY_9AM));
        const inside = await tx.execute({
          sql: 'SELECT count(*) AS n FROM slots WHERE teacher_id = ?',
          args: [teacher.id],
        });
        expect(Number(inside.rows[0]!.n)).toBe(1);
        expect(await countSlots(reader, teacher.id)).toBe(0);
        await tx.commit();
      } finally {
        tx.close();
      }
      expect(await countSlots(reader, teacher.id)).toBe(1);
    });

    it('discards its writes when rolled back', async () => {
      const teacher = await givenTeacher(client);
      const tx = await client.transaction('write');
      try {
        await tx.batch([insertSlot(teacher.id, MONDAY_9AM), insertSlot(teacher.id, MONDAY_9AM + HOUR)]);
        await tx.rollback();
      } finally {
        tx.close();
      }
      expect(await countSlots(client, teacher.id)).toBe(0);
    });

    it('stays open after a failing statement, so the rest can still commit', async () => {
      const teacher = await givenTeacher(client);
      const tx = await client.transaction('write');
      try {
        await tx.execute(insertSlot(teacher.id, MONDAY_9AM));
        const error = await libsqlErrorOf(tx.execute(insertSlot(teacher.id, MONDAY_9AM + 30 * MINUTE)));
        expect(error.message).toContain('SLOT_OVERLAP');
        await tx.execute(insertSlot(teacher.id, MONDAY_9AM + 2 * HOUR));
        await tx.commit();
      } finally {
        tx.close();
      }
      expect(await countSlots(client, teacher.id)).toBe(2);
    });
  });

  describe('statements and values', () => {
    it('binds named arguments with and without their prefix, and positional ones', async () => {
      const email = uniqueEmail();
      const named = await client.execute({
        sql: 'INSERT INTO users (id, email, name, role, created_at, updated_at) VALUES (:id, :email, @name, $role, :at, :at)',
        args: { id: newId(), ':email': email, name: 'Ada', $role: 'student', at: CREATED_AT },
      });
      expect(named.rowsAffected).toBe(1);
      const positional = await client.execute({
        sql: 'SELECT name, role FROM users WHERE email = ? AND created_at = ?',
        args: [email, CREATED_AT],
      });
      expect(positional.rows.map((row) => [row.name, row.role])).toEqual([['Ada', 'student']]);
      const numbered = await client.execute({ sql: 'SELECT ?2 AS second, ?1 AS first', args: ['one', 'two'] });
      expect([numbered.rows[0]!.first, numbered.rows[0]!.second]).toEqual(['one', 'two']);
    });

    it('reports column names, declared types, affected rows and the last insert rowid', async () => {
      const teacher = await givenTeacher(client);
      const result = await client.execute({
        sql: 'SELECT id, email, created_at, 1 + 1 AS two FROM users WHERE id = ?',
        args: [teacher.id],
      });
      expect(result.columns).toEqual(['id', 'email', 'created_at', 'two']);
      expect(result.columnTypes).toEqual(['TEXT', 'TEXT', 'INTEGER', '']);
      const inserted = await client.execute({
        sql: 'INSERT INTO audit_log (id, at, actor_type, action) VALUES (?, ?, ?, ?)',
        args: [newId(), CREATED_AT, 'system', 'test'],
      });
      expect(inserted.rowsAffected).toBe(1);
      const rowid = await client.execute('SELECT max(rowid) AS r FROM audit_log');
      expect(inserted.lastInsertRowid).toBe(BigInt(rowid.rows[0]!.r as number));
      const updated = await client.execute({
        sql: 'UPDATE teachers SET buffer_minutes = 5 WHERE id IN (?, ?)',
        args: [teacher.id, newId()],
      });
      expect(updated.rowsAffected).toBe(1);
    });

    it('round-trips text, floats, null and blobs, including an empty blob', async () => {
      const bytes = crypto.getRandomValues(new Uint8Array(32));
      const result = await client.execute({
        sql: 'SELECT ? AS text, ? AS float, ? AS nil, ? AS blob, ? AS empty',
        args: ['Grüße 👋', 0.1 + 0.2, null, bytes, new Uint8Array(0)],
      });
      const row = result.rows[0]!;
      expect(row.text).toBe('Grüße 👋');
      expect(row.float).toBe(0.1 + 0.2);
      expect(row.nil).toBeNull();
      expect(new Uint8Array(row.blob as ArrayBuffer)).toEqual(bytes);
      expect(new Uint8Array(row.empty as ArrayBuffer)).toEqual(new Uint8Array(0));
    });

    it('stores a session secret as a blob and reads the same bytes back', async () => {
      const user = await givenUser(client);
      const secretHash = crypto.getRandomValues(new Uint8Array(32));
      const sessionId = newId();
      await client.execute({
        sql: 'INSERT INTO auth_sessions (id, user_id, secret_hash, created_at, last_verified_at) VALUES (?, ?, ?, ?, ?)',
        args: [sessionId, user.id, secretHash, CREATED_AT, CREATED_AT],
      });
      const result = await client.execute({
        sql: 'SELECT secret_hash, typeof(secret_hash) AS kind FROM auth_sessions WHERE id = ?',
        args: [sessionId],
      });
      expect(result.rows[0]!.kind).toBe('blob');
      expect(new Uint8Array(result.rows[0]!.secret_hash as ArrayBuffer)).toEqual(secretHash);
    });

    it('keeps integers beyond 2^53 exact as bigint in bigint mode', async () => {
      const big = database.client({ intMode: 'bigint' });
      const teacher = await givenTeacher(big);
      const huge = 2n ** 62n + 1n;
      await big.execute({ sql: 'UPDATE teachers SET calendar_version = ? WHERE id = ?', args: [huge, teacher.id] });
      const stored = await big.execute({
        sql: 'SELECT calendar_version, typeof(calendar_version) AS kind FROM teachers WHERE id = ?',
        args: [teacher.id],
      });
      expect(stored.rows[0]!.calendar_version).toBe(huge);
      expect(stored.rows[0]!.kind).toBe('integer');
      const extremes = await big.execute({
        sql: 'SELECT ? AS max, ? AS min, 9007199254740993 AS literal',
        args: [2n ** 63n - 1n, -(2n ** 63n)],
      });
      expect([extremes.rows[0]!.max, extremes.rows[0]!.min, extremes.rows[0]!.literal]).toEqual([
        2n ** 63n - 1n,
        -(2n ** 63n),
        9007199254740993n,
      ]);
    });

    it('refuses to round an integer beyond 2^53 in number mode', async () => {
      await expect(client.execute('SELECT 9007199254740993 AS n')).rejects.toThrow(RangeError);
    });

    it('runs several statements with executeMultiple, trigger bodies included', async () => {
      await client.executeMultiple(`
        CREATE TABLE IF NOT EXISTS scratch_counts (name TEXT PRIMARY KEY, n INTEGER NOT NULL); -- a comment; with a semicolon
        CREATE TABLE IF NOT EXISTS scratch_log (name TEXT);
        CREATE TRIGGER IF NOT EXISTS scratch_count AFTER INSERT ON scratch_log BEGIN
          INSERT INTO scratch_counts (name, n) VALUES (NEW.name, 0) ON CONFLICT (name) DO NOTHING;
          UPDATE scratch_counts SET n = n + CASE WHEN NEW.name = 'b' THEN 10 ELSE 1 END WHERE name = NEW.name;
        END;
        INSERT INTO scratch_log VALUES ('a'), ('a'), ('b');
        INSERT INTO scratch_log VALUES ('semi;colon');
      `);
      const result = await client.execute('SELECT name, n FROM scratch_counts ORDER BY name');
      expect(result.rows.map((row) => [row.name, Number(row.n)])).toEqual([
        ['a', 2],
        ['b', 10],
        ['semi;colon', 1],
      ]);
    });

    it('stops executeMultiple at the first failing statement', async () => {
      const error = await libsqlErrorOf(
        client.executeMultiple(`
        CREATE TABLE scratch_keys (k TEXT PRIMARY KEY);
        INSERT INTO scratch_keys VALUES ('first');
        INSERT INTO scratch_keys VALUES ('first');
        INSERT INTO scratch_keys VALUES ('never');
      `),
      );
      expect(error.code).toBe('SQLITE_CONSTRAINT');
      const result = await client.execute('SELECT k FROM scratch_keys');
      expect(result.rows.map((row) => row.k)).toEqual(['first']);
    });
  });

  describe('drizzle-orm', () => {
    it('inserts, selects and batches with the project schema', async () => {
      const db = drizzle(client, { schema });
      const userId = newId();
      const email = uniqueEmail('drizzle');
      const [user] = await db
        .insert(schema.users)
        .values({ id: userId, email, role: 'teacher', createdAt: CREATED_AT, updatedAt: CREATED_AT })
        .returning();
      expect(user).toMatchObject({ id: userId, email, name: '', role: 'teacher', disabledAt: null });
      await db.insert(schema.teachers).values({
        id: userId,
        displayName: 'Drizzle',
        timeZone: 'Europe/Berlin',
        createdAt: CREATED_AT,
        updatedAt: CREATED_AT,
      });

      const slotIds = [newId(), newId()];
      const [inserted, bumped, mine] = await db.batch([
        db.insert(schema.slots).values(
          slotIds.map((id, i) => ({
            id,
            teacherId: userId,
            startsAt: MONDAY_9AM + i * HOUR,
            endsAt: MONDAY_9AM + (i + 1) * HOUR,
            createdAt: CREATED_AT,
            updatedAt: CREATED_AT,
          })),
        ),
        db
          .update(schema.teachers)
          .set({ calendarVersion: 1 })
          .where(eq(schema.teachers.id, userId))
          .returning({ version: schema.teachers.calendarVersion }),
        db
          .select()
          .from(schema.slots)
          .where(and(eq(schema.slots.teacherId, userId), eq(schema.slots.status, 'open')))
          .orderBy(schema.slots.startsAt),
      ]);
      expect(inserted.rowsAffected).toBe(2);
      expect(bumped).toEqual([{ version: 1 }]);
      expect(mine.map((slot) => slot.id)).toEqual(slotIds);

      const teacher = await db.query.teachers.findFirst({ where: eq(schema.teachers.id, userId) });
      expect(teacher).toMatchObject({ notifyOnBooking: true, bufferMinutes: 0, calendarVersion: 1 });

      await db.insert(schema.availability).values({
        studentUserId: userId,
        timeZone: 'Europe/Berlin',
        weeklyRanges: [{ day: 1, start: '09:00', end: '12:00' }],
        updatedAt: CREATED_AT,
      });
      const [availability] = await db
        .select()
        .from(schema.availability)
        .where(eq(schema.availability.studentUserId, userId));
      expect(availability!.weeklyRanges).toEqual([{ day: 1, start: '09:00', end: '12:00' }]);
    });

    it('rolls back a drizzle batch that hits the overlap trigger', async () => {
      const db = drizzle(client, { schema });
      const teacher = await givenTeacher(client);
      const slot = (startsAt: number) => ({
        id: newId(),
        teacherId: teacher.id,
        startsAt,
        endsAt: startsAt + HOUR,
        createdAt: CREATED_AT,
        updatedAt: CREATED_AT,
      });
      const batch = db.batch([
        db.insert(schema.slots).values(slot(MONDAY_9AM)),
        db.update(schema.teachers).set({ calendarVersion: 7 }).where(eq(schema.teachers.id, teacher.id)),
        db.insert(schema.slots).values(slot(MONDAY_9AM + 15 * MINUTE)),
      ]);
      // drizzle wraps the driver's error; the trigger's message is on the cause.
      const error = await batch.then(
        () => null,
        (e: unknown) => e,
      );
      expect(messages(error)).toContain('SLOT_OVERLAP');
      const [row] = await db
        .select({ version: schema.teachers.calendarVersion })
        .from(schema.teachers)
        .where(eq(schema.teachers.id, teacher.id));
      expect(row).toEqual({ version: 0 });
      expect(await countSlots(client, teacher.id)).toBe(0);
    });
  });

  // Server behaviour only: an embedded client has no tokens, streams or other clients to wait for, so these
  // four are reported as skipped for the embedded backend.
  describe.runIf(backend.isServer)('(dev server)', () => {
    it('refuses a client with a wrong or missing bearer token', async () => {
      for (const authToken of ['wrong-token', undefined]) {
        const stranger = database.client({ authToken });
        const error = await libsqlErrorOf(stranger.execute('SELECT 1'));
        expect(error.message).toContain('Unauthorized');
      }
      const response = await fetch(`${database.url}/v2/pipeline`, {
        method: 'POST',
        headers: { authorization: 'Bearer wrong-token' },
        body: '{"requests":[]}',
      });
      expect(response.status).toBe(401);
    });

    it('makes a writer wait for an open transaction instead of failing', async () => {
      const teacher = await givenTeacher(client);
      const tx = await client.transaction('write');
      let waitingWriteDone = false;
      try {
        await tx.execute(insertSlot(teacher.id, MONDAY_9AM));
        const waiting = database
          .client()
          .execute(insertSlot(teacher.id, MONDAY_9AM + 2 * HOUR))
          .then(() => (waitingWriteDone = true));
        // A negative observation needs a window: the second writer is still waiting 150 ms on (it would fail
        // at once with SQLITE_BUSY if the server didn't queue it), and goes through as soon as we commit.
        await new Promise((resolve) => setTimeout(resolve, 150));
        expect(waitingWriteDone).toBe(false);
        await tx.commit();
        await waiting;
      } finally {
        tx.close();
      }
      expect(await countSlots(client, teacher.id)).toBe(2);
    });

    it('serialises read-modify-write transactions from many clients without losing an update', async () => {
      const teacher = await givenTeacher(client);
      const bump = async (c: Client) => {
        const tx = await c.transaction('write');
        try {
          const current = await tx.execute({
            sql: 'SELECT calendar_version AS v FROM teachers WHERE id = ?',
            args: [teacher.id],
          });
          // Widens the race between read and write (not a wait for anything): without the lock, updates would be lost.
          await new Promise((resolve) => setTimeout(resolve, 5));
          await tx.execute({
            sql: 'UPDATE teachers SET calendar_version = ? WHERE id = ?',
            args: [Number(current.rows[0]!.v) + 1, teacher.id],
          });
          await tx.commit();
        } finally {
          tx.close();
        }
      };
      await Promise.all(Array.from({ length: 8 }, () => bump(database.client())));
      const result = await client.execute({
        sql: 'SELECT calendar_version AS v FROM teachers WHERE id = ?',
        args: [teacher.id],
      });
      expect(Number(result.rows[0]!.v)).toBe(8);
    });

    it('rolls back a transaction left idle past idleStreamMs and rejects its baton', async () => {
      const idle = await startMigratedServer(backend.name.includes('/web') ? createWebClient : undefined, {
        idleStreamMs: 200,
      });
      try {
        const c = idle.client();
        const teacher = await givenTeacher(c);
        const tx = await c.transaction('write');
        try {
          await tx.execute(insertSlot(teacher.id, MONDAY_9AM));
          // The server logs the expiry when it rolls the transaction back: wait for that, not for a guess.
          await until(
            () => idle.serverLog.some((line) => line.includes('open transaction was rolled back')),
            (expired) => expired,
            5_000,
          );
          const error = await libsqlErrorOf(tx.execute('SELECT 1'));
          expect(error.code).toBe('STREAM_EXPIRED');
        } finally {
          tx.close();
        }
        expect(await countSlots(c, teacher.id)).toBe(0);
        // The expired transaction's write lock is gone: a new write goes through at once.
        await givenSlot(idle.client(), teacher.id, MONDAY_9AM);
        expect(idle.serverLog.some((line) => line.includes('open transaction was rolled back'))).toBe(true);
      } finally {
        await idle.stop();
      }
    });
  });
});

codes.expectTheSameEverywhere();
