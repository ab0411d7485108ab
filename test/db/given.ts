/**
 * Scenario builders for the database tests, in plain parameterised SQL so they read the same on every
 * backend. Times are fixed instants, never today's date.
 */
import { LibsqlError, type Client, type InStatement, type ResultSet } from '@libsql/client';
import { expect } from 'vitest';

/** Monday 7 January 2030, 09:00 UTC: every test's calendar starts here. */
export const MONDAY_9AM = Date.UTC(2030, 0, 7, 9, 0);
export const HOUR = 60 * 60_000;
export const MINUTE = 60_000;
/** When the scenario's rows say they were created. */
export const CREATED_AT = Date.UTC(2029, 11, 1);

export const newId = () => crypto.randomUUID();
export const uniqueEmail = (who = 'someone') => `${who}-${newId()}@example.test`;

export async function givenUser(client: Client, role: 'teacher' | 'student' = 'student', email = uniqueEmail(role)) {
  const id = newId();
  await client.execute({
    sql: 'INSERT INTO users (id, email, name, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
    args: [id, email, `A ${role}`, role, CREATED_AT, CREATED_AT],
  });
  return { id, email };
}

export async function givenTeacher(client: Client, { bufferMinutes = 0 } = {}) {
  const user = await givenUser(client, 'teacher');
  await client.execute({
    sql: 'INSERT INTO teachers (id, display_name, time_zone, buffer_minutes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
    args: [user.id, 'Ms Example', 'Europe/Berlin', bufferMinutes, CREATED_AT, CREATED_AT],
  });
  return user;
}

export function insertSlot(
  teacherId: string,
  startsAt: number,
  endsAt = startsAt + HOUR,
  status: 'open' | 'booked' | 'canceled' = 'open',
) {
  return {
    sql: 'INSERT INTO slots (id, teacher_id, starts_at, ends_at, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    args: [newId(), teacherId, startsAt, endsAt, status, CREATED_AT, CREATED_AT],
  };
}

export async function givenSlot(
  client: Client,
  teacherId: string,
  startsAt = MONDAY_9AM,
  endsAt = startsAt + HOUR,
  status: 'open' | 'booked' | 'canceled' = 'open',
) {
  const statement = insertSlot(teacherId, startsAt, endsAt, status);
  await client.execute(statement);
  return statement.args[0] as string;
}

export function insertBooking(slotId: string, teacherId: string, status: 'scheduled' | 'canceled' = 'scheduled') {
  return {
    sql: `INSERT INTO bookings (id, slot_id, teacher_id, status, starts_at, ends_at, scheduled_at, source)
          VALUES (?, ?, ?, ?, ?, ?, ?, 'api')`,
    args: [newId(), slotId, teacherId, status, MONDAY_9AM, MONDAY_9AM + HOUR, CREATED_AT],
  };
}

/** Anything that runs a statement: a client or an open transaction. */
export type Executor = { execute(statement: InStatement): Promise<ResultSet> };

export async function countSlots(client: Executor, teacherId: string): Promise<number> {
  const result = await client.execute({
    sql: 'SELECT count(*) AS n FROM slots WHERE teacher_id = ?',
    args: [teacherId],
  });
  return Number(result.rows[0]!.n);
}

/** The LibsqlError a promise rejects with; fails the test if it resolves or throws anything else. */
export async function libsqlErrorOf(promise: Promise<unknown>): Promise<LibsqlError> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  expect(outcome, 'expected the database to refuse this').toBeInstanceOf(LibsqlError);
  return outcome as LibsqlError;
}
