/**
 * The schema's own rules, run against the libSQL dev server (through `@libsql/client` and
 * `@libsql/client/web`) and against the embedded client on a file, each with the project's real migrations:
 * the migrations themselves, constraints, the triggers (slot overlap, session assertion, slot claim) and the
 * one-scheduled-booking-per-slot index. The app relies on the database to refuse these writes, so every backend
 * must refuse them the same way. How the backends speak (batches, transactions, values) is in
 * protocol-conformance.test.ts.
 */
import { readFileSync } from 'node:fs';
import { type Client } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../db/migrate.ts';
import { backends, type Database } from './backends.ts';
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
  insertBooking,
  insertSlot,
  libsqlErrorOf,
  newId,
  uniqueEmail,
} from './given.ts';

/** Every migration drizzle-kit generated, as its journal lists them. */
const MIGRATION_COUNT = (
  JSON.parse(readFileSync(new URL('../../db/migrations/meta/_journal.json', import.meta.url), 'utf8')) as {
    entries: unknown[];
  }
).entries.length;

const codes = errorCodesAcrossBackends();
const recordCode = codes.record;

describe.each(backends)('$name', (backend) => {
  let database: Database;
  let client: Client;
  beforeAll(async () => {
    database = await backend.start();
    client = database.client();
  });
  afterAll(() => database?.stop());

  describe('migrations', () => {
    it('creates every table of the schema and both slot-overlap triggers', async () => {
      const result = await client.execute(
        "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger') ORDER BY name",
      );
      const names = result.rows.map((row) => String(row.name));
      for (const table of [
        'users',
        'teachers',
        'students',
        'slots',
        'bookings',
        'share_links',
        'email_outbox',
        'audit_log',
      ]) {
        expect(names).toContain(table);
      }
      expect(names).toContain('slots_no_overlap_insert');
      expect(names).toContain('slots_no_overlap_update');
    });

    it('applies nothing the second time migrate() runs', async () => {
      const before = await client.execute('SELECT count(*) AS n FROM __drizzle_migrations');
      await migrate(database.url, database.authToken);
      const after = await client.execute('SELECT count(*) AS n FROM __drizzle_migrations');
      expect(Number(after.rows[0]!.n)).toBe(Number(before.rows[0]!.n));
      expect(Number(after.rows[0]!.n)).toBe(MIGRATION_COUNT);
    });
  });

  describe('constraints', () => {
    it('refuses a second user with the same email as SQLITE_CONSTRAINT', async () => {
      const email = uniqueEmail();
      await givenUser(client, 'student', email);
      const error = await libsqlErrorOf(givenUser(client, 'student', email));
      expect(error.code).toBe('SQLITE_CONSTRAINT');
      expect(error.message).toContain('UNIQUE constraint failed: users.email');
      recordCode('unique email', backend.name, error);
    });

    it('refuses a duplicate primary key as SQLITE_CONSTRAINT', async () => {
      const { id } = await givenUser(client);
      const insert = 'INSERT INTO users (id, email, role, created_at, updated_at) VALUES (?, ?, ?, 0, 0)';
      const error = await libsqlErrorOf(client.execute({ sql: insert, args: [id, uniqueEmail(), 'student'] }));
      expect(error.code).toBe('SQLITE_CONSTRAINT');
      expect(error.message).toContain('users.id');
      recordCode('primary key', backend.name, error);
    });

    it('refuses a slot of an unknown teacher through the foreign key', async () => {
      const error = await libsqlErrorOf(client.execute(insertSlot(newId(), MONDAY_9AM)));
      expect(error.code).toBe('SQLITE_CONSTRAINT');
      expect(error.message).toContain('FOREIGN KEY constraint failed');
      recordCode('foreign key', backend.name, error);
    });
  });

  describe('the slot-overlap trigger', () => {
    it('refuses a slot that overlaps another of the same teacher with SLOT_OVERLAP', async () => {
      const teacher = await givenTeacher(client);
      await givenSlot(client, teacher.id, MONDAY_9AM);
      const error = await libsqlErrorOf(client.execute(insertSlot(teacher.id, MONDAY_9AM + 30 * MINUTE)));
      expect(error.code).toBe('SQLITE_CONSTRAINT');
      expect(error.message).toContain('SLOT_OVERLAP');
      recordCode('slot overlap', backend.name, error);
      expect(await countSlots(client, teacher.id)).toBe(1);
    });

    it('allows back-to-back slots, a canceled slot in the way, and overlaps across teachers', async () => {
      const teacher = await givenTeacher(client);
      const other = await givenTeacher(client);
      await givenSlot(client, teacher.id, MONDAY_9AM);
      await givenSlot(client, teacher.id, MONDAY_9AM + HOUR);
      await givenSlot(client, teacher.id, MONDAY_9AM + 30 * MINUTE, MONDAY_9AM + 90 * MINUTE, 'canceled');
      await givenSlot(client, other.id, MONDAY_9AM);
      expect(await countSlots(client, teacher.id)).toBe(3);
    });

    it("counts the teacher's buffer between slots as overlap", async () => {
      const teacher = await givenTeacher(client, { bufferMinutes: 15 });
      await givenSlot(client, teacher.id, MONDAY_9AM);
      const error = await libsqlErrorOf(client.execute(insertSlot(teacher.id, MONDAY_9AM + HOUR + 10 * MINUTE)));
      expect(error.message).toContain('SLOT_OVERLAP');
      await givenSlot(client, teacher.id, MONDAY_9AM + HOUR + 15 * MINUTE);
    });

    it('refuses moving a slot onto another one', async () => {
      const teacher = await givenTeacher(client);
      await givenSlot(client, teacher.id, MONDAY_9AM);
      const later = await givenSlot(client, teacher.id, MONDAY_9AM + 3 * HOUR);
      const move = client.execute({
        sql: 'UPDATE slots SET starts_at = ?, ends_at = ? WHERE id = ?',
        args: [MONDAY_9AM + 30 * MINUTE, MONDAY_9AM + 90 * MINUTE, later],
      });
      const error = await libsqlErrorOf(move);
      expect(error.message).toContain('SLOT_OVERLAP');
      recordCode('slot overlap on update', backend.name, error);
    });

    // Migration 0009 bounds the triggers' look-back by the longest slot (12 hours) plus the buffer: a slot that
    // long, starting as far back as it can and still reach the new one, must still be found.
    it('finds the longest slot that reaches the new one, buffer included, and nothing beyond it', async () => {
      const TWELVE_HOURS = 12 * HOUR;
      const teacher = await givenTeacher(client);
      await givenSlot(client, teacher.id, MONDAY_9AM, MONDAY_9AM + TWELVE_HOURS);
      const overlapping = insertSlot(teacher.id, MONDAY_9AM + TWELVE_HOURS - MINUTE);
      expect((await libsqlErrorOf(client.execute(overlapping))).message).toContain('SLOT_OVERLAP');
      await givenSlot(client, teacher.id, MONDAY_9AM + TWELVE_HOURS);

      const buffered = await givenTeacher(client, { bufferMinutes: 240 });
      await givenSlot(client, buffered.id, MONDAY_9AM, MONDAY_9AM + TWELVE_HOURS);
      const withinBuffer = insertSlot(buffered.id, MONDAY_9AM + TWELVE_HOURS + 239 * MINUTE);
      expect((await libsqlErrorOf(client.execute(withinBuffer))).message).toContain('SLOT_OVERLAP');
      const later = await givenSlot(client, buffered.id, MONDAY_9AM + TWELVE_HOURS + 240 * MINUTE);
      // Moving that slot back into the long slot's buffer is refused the same way.
      const move = client.execute({
        sql: 'UPDATE slots SET starts_at = ?, ends_at = ? WHERE id = ?',
        args: [MONDAY_9AM + TWELVE_HOURS + 239 * MINUTE, MONDAY_9AM + TWELVE_HOURS + 299 * MINUTE, later],
      });
      expect((await libsqlErrorOf(move)).message).toContain('SLOT_OVERLAP');
    });

    it('refuses a slot longer than 12 hours, or one that ends before it starts, with SLOT_LENGTH', async () => {
      const teacher = await givenTeacher(client);
      for (const [start, end] of [
        [MONDAY_9AM, MONDAY_9AM + 12 * HOUR + MINUTE],
        [MONDAY_9AM, MONDAY_9AM],
        [MONDAY_9AM, MONDAY_9AM - HOUR],
      ] as const) {
        const error = await libsqlErrorOf(client.execute(insertSlot(teacher.id, start, end)));
        expect(error.message).toContain('SLOT_LENGTH');
        recordCode('slot length', backend.name, error);
      }
      const slot = await givenSlot(client, teacher.id, MONDAY_9AM, MONDAY_9AM + 12 * HOUR);
      const stretch = client.execute({
        sql: 'UPDATE slots SET ends_at = ? WHERE id = ?',
        args: [MONDAY_9AM + 13 * HOUR, slot],
      });
      expect((await libsqlErrorOf(stretch)).message).toContain('SLOT_LENGTH');
      expect(await countSlots(client, teacher.id)).toBe(1);
    });

    it('lets only one of many racing clients create the same slot', async () => {
      const teacher = await givenTeacher(client);
      const racers = Array.from({ length: 10 }, () => database.client());
      const outcomes = await Promise.allSettled(
        racers.map((racer) => racer.execute(insertSlot(teacher.id, MONDAY_9AM))),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
        expect(String((outcome as PromiseRejectedResult).reason.message)).toContain('SLOT_OVERLAP');
      }
      expect(await countSlots(client, teacher.id)).toBe(1);
    });
  });

  describe('the session assertion trigger', () => {
    const DAY = 24 * HOUR;
    const assertion = (sessionId: string, secretHash: Uint8Array, at: number) => ({
      sql: 'INSERT INTO session_assertions (session_id, secret_hash, teacher_updated_at, at, absolute_lifetime_ms, inactivity_timeout_ms) VALUES (?, ?, ?, ?, ?, ?)',
      args: [sessionId, secretHash, CREATED_AT, at, 30 * DAY, 10 * DAY],
    });
    async function givenSession(teacherId: string) {
      const id = newId();
      const secretHash = new Uint8Array(32).fill(7);
      await client.execute({
        sql: 'INSERT INTO auth_sessions (id, user_id, secret_hash, created_at, last_verified_at) VALUES (?, ?, ?, ?, ?)',
        args: [id, teacherId, secretHash, CREATED_AT, CREATED_AT],
      });
      return { id, secretHash };
    }

    it('lets a batch through on a valid session and stores nothing', async () => {
      const teacher = await givenTeacher(client);
      const session = await givenSession(teacher.id);
      await client.batch(
        [assertion(session.id, session.secretHash, CREATED_AT + HOUR), insertSlot(teacher.id, MONDAY_9AM)],
        'write',
      );
      expect(await countSlots(client, teacher.id)).toBe(1);
      const stored = await client.execute('SELECT count(*) AS n FROM session_assertions');
      expect(Number(stored.rows[0]!.n)).toBe(0);
    });

    it('rolls the whole batch back with SESSION_INVALID on a wrong secret, an expired or missing session', async () => {
      const teacher = await givenTeacher(client);
      const session = await givenSession(teacher.id);
      for (const [id, hash, at] of [
        [session.id, new Uint8Array(32).fill(8), CREATED_AT + HOUR],
        [session.id, session.secretHash, CREATED_AT + 11 * DAY],
        [newId(), session.secretHash, CREATED_AT + HOUR],
      ] as const) {
        const error = await libsqlErrorOf(
          client.batch([insertSlot(teacher.id, MONDAY_9AM), assertion(id, hash, at)], 'write'),
        );
        expect(error.message).toContain('SESSION_INVALID');
        recordCode('session assertion', backend.name, error);
      }
      expect(await countSlots(client, teacher.id)).toBe(0);
    });
  });

  describe('the one-scheduled-booking-per-slot index', () => {
    it('refuses a booking for a slot that is no longer open (the claim trigger)', async () => {
      const teacher = await givenTeacher(client);
      const slot = await givenSlot(client, teacher.id);
      await client.execute(insertBooking(slot, teacher.id));
      expect(
        (await client.execute({ sql: 'SELECT status FROM slots WHERE id = ?', args: [slot] })).rows[0]!.status,
      ).toBe('booked');
      const error = await libsqlErrorOf(client.execute(insertBooking(slot, teacher.id)));
      expect(error.code).toBe('SQLITE_CONSTRAINT');
      expect(error.message).toContain('SLOT_TAKEN');
    });

    it('refuses a second scheduled booking for a slot even if the slot were open again (the index)', async () => {
      const teacher = await givenTeacher(client);
      const slot = await givenSlot(client, teacher.id);
      await client.execute(insertBooking(slot, teacher.id));
      await client.execute({ sql: "UPDATE slots SET status = 'open' WHERE id = ?", args: [slot] });
      const error = await libsqlErrorOf(client.execute(insertBooking(slot, teacher.id)));
      expect(error.code).toBe('SQLITE_CONSTRAINT');
      expect(error.message).toContain('bookings.slot_id');
      recordCode('double booking', backend.name, error);
    });

    it('allows a new scheduled booking once the earlier one is canceled', async () => {
      const teacher = await givenTeacher(client);
      const slot = await givenSlot(client, teacher.id);
      await client.execute(insertBooking(slot, teacher.id));
      await client.execute({ sql: "UPDATE bookings SET status = 'canceled' WHERE slot_id = ?", args: [slot] });
      await client.batch([insertBooking(slot, teacher.id, 'canceled'), insertBooking(slot, teacher.id)], 'write');
      const result = await client.execute({
        sql: 'SELECT status, count(*) AS n FROM bookings WHERE slot_id = ? GROUP BY status ORDER BY status',
        args: [slot],
      });
      expect(result.rows.map((row) => [row.status, Number(row.n)])).toEqual([
        ['canceled', 2],
        ['scheduled', 1],
      ]);
    });
  });
});

codes.expectTheSameEverywhere();
