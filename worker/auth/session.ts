/**
 * Sessions as the current Lucia guide describes them: a `<id>.<secret>` token, only SHA-256 of the secret
 * stored, compared in constant time, with an inactivity timeout and an absolute lifetime.
 */
import { eq, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../db.ts';
import { statementTemplate } from '../db-template.ts';
import { authSessions, bookings, students, teachers, users } from '../../db/schema.ts';
import { constantTimeEqual, sha256Bytes } from '../crypto/hash.ts';
import { randomToken } from '../crypto/random.ts';
import type { SessionResult } from '../http/types.ts';

export const SESSION_COOKIE = 'slotcast_session';
export const INACTIVITY_TIMEOUT_MS = 10 * 24 * 60 * 60 * 1000;
export const ABSOLUTE_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;
/** Refresh last_verified_at at most this often, so reads stay reads. */
const ACTIVITY_WRITE_INTERVAL_MS = 60 * 60 * 1000;

const none: SessionResult = { session: null, user: null, teacher: null, studentArea: false };

/**
 * Whether the account has a student's side: it was made by a booking, it has booked a session, or a teacher
 * has enrolled its address. A teacher who books with another teacher has one too (DESIGN.md "Auth": areas
 * follow what a person has, not one role column). Read in the session's own query, so it costs no round trip.
 */
const hasStudentArea = sql<number>`(${users.role} = 'student'
  OR EXISTS (SELECT 1 FROM ${bookings} WHERE ${bookings.studentUserId} = ${users.id})
  OR EXISTS (SELECT 1 FROM ${students} WHERE ${students.userId} = ${users.id} OR ${students.email} = ${users.email}))`;

/** Builds the insert for a new session; the caller runs it (alone or inside a batch). */
export function newSession(db: Db, userId: string, now: number) {
  const id = randomToken();
  const secret = randomToken();
  const insert = db.insert(authSessions).values({
    id,
    userId,
    secretHash: Buffer.from(sha256Bytes(secret)),
    createdAt: now,
    lastVerifiedAt: now,
  });
  return { token: `${id}.${secret}`, insert, expiresAt: sessionExpiry(now, now) };
}

function sessionExpiry(createdAt: number, lastVerifiedAt: number): number {
  return Math.min(createdAt + ABSOLUTE_LIFETIME_MS, lastVerifiedAt + INACTIVITY_TIMEOUT_MS);
}

/** The session's row with its user and teacher profile: a statement a caller may put into its own batch. */
/** Built once (worker/db-template.ts): every signed-in request reads it. */
const sessionById = statementTemplate((db, p: { sessionId: string }) =>
  db
    .select({
      session: authSessions,
      user: { id: users.id, email: users.email, name: users.name, role: users.role, disabledAt: users.disabledAt },
      teacher: teachers,
      studentArea: hasStudentArea,
    })
    .from(authSessions)
    .innerJoin(users, eq(users.id, authSessions.userId))
    .leftJoin(teachers, eq(teachers.id, users.id))
    .where(eq(authSessions.id, p.sessionId))
    .limit(1),
);
const sessionQuery = (db: Db, sessionId: string) => sessionById(db, { sessionId });

type SessionRow = Awaited<ReturnType<typeof sessionQuery>>[number];

/** The token's two halves, or null when it can't be one of ours (no round trip spent on it). */
export function parseSessionToken(token: string): { id: string; secret: string } | null {
  const [id, secret, extra] = token.split('.');
  if (!id || !secret || extra !== undefined || id.length > 64 || secret.length > 64) return null;
  return { id, secret };
}

/** Judges a session row read for the token: secret, lifetimes, a disabled account; refreshes activity hourly. */
async function judgeSession(
  db: Db,
  { id, secret }: { id: string; secret: string },
  row: SessionRow | undefined,
  now: number,
): Promise<SessionResult> {
  if (!row) return none;
  const { session, user } = row;
  if (!constantTimeEqual(sha256Bytes(secret), new Uint8Array(session.secretHash))) return none;
  const expiresAt = sessionExpiry(session.createdAt, session.lastVerifiedAt);
  if (now >= expiresAt || user.disabledAt !== null) {
    await db.delete(authSessions).where(eq(authSessions.id, id));
    return none;
  }
  let effectiveExpiry = expiresAt;
  if (now - session.lastVerifiedAt >= ACTIVITY_WRITE_INTERVAL_MS) {
    await db.update(authSessions).set({ lastVerifiedAt: now }).where(eq(authSessions.id, id));
    effectiveExpiry = sessionExpiry(session.createdAt, now);
  }
  const { disabledAt: _disabled, ...sessionUser } = user;
  return {
    session: { id, expiresAt: effectiveExpiry },
    user: sessionUser,
    teacher: row.teacher,
    studentArea: Boolean(row.studentArea),
  };
}

export async function validateSessionToken(db: Db, token: string, now: number): Promise<SessionResult> {
  const parsed = parseSessionToken(token);
  if (!parsed) return none;
  return judgeSession(db, parsed, (await sessionQuery(db, parsed.id))[0], now);
}

/**
 * Who a read is for: a user already known, or the user of a session the same batch validates. A read finds
 * its rows through `userIdOf`, one statement text per kind of key (worker/db-template.ts).
 */
export type UserKey = { userId: string } | { sessionId: string };

/** The user's id as a read's condition: the value, or the session's `user_id` (none for an unknown session). */
export const userIdOf = (db: Db, key: UserKey) =>
  'userId' in key
    ? key.userId
    : db.select({ id: authSessions.userId }).from(authSessions).where(eq(authSessions.id, key.sessionId));

/**
 * Validates the session and makes a read in the same batch: one round trip for a read that only a signed-in
 * user may see. `read` finds its user by the session (`userIdOf`), so it needs nothing from the session
 * first; its result is the caller's only when the session holds.
 */
export async function validateSessionWithRead<T extends BatchItem<'sqlite'>>(
  db: Db,
  token: string,
  now: number,
  read: (user: UserKey) => T,
): Promise<{ auth: SessionResult; read: Awaited<T> | null }> {
  const parsed = parseSessionToken(token);
  if (!parsed) return { auth: none, read: null };
  const [rows, result] = await db.batch([sessionQuery(db, parsed.id), read({ sessionId: parsed.id })]);
  const auth = await judgeSession(db, parsed, rows[0], now);
  return { auth, read: auth.user ? (result as Awaited<T>) : null };
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(authSessions).where(eq(authSessions.id, sessionId));
}
