/**
 * Sessions as the current Lucia guide describes them: a `<id>.<secret>` token, only SHA-256 of the secret
 * stored, compared in constant time, with an inactivity timeout and an absolute lifetime.
 */
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db.ts';
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

export async function validateSessionToken(db: Db, token: string, now: number): Promise<SessionResult> {
  const [id, secret, extra] = token.split('.');
  if (!id || !secret || extra !== undefined || id.length > 64 || secret.length > 64) return none;
  const rows = await db
    .select({
      session: authSessions,
      user: { id: users.id, email: users.email, name: users.name, role: users.role, disabledAt: users.disabledAt },
      teacher: teachers,
      studentArea: hasStudentArea,
    })
    .from(authSessions)
    .innerJoin(users, eq(users.id, authSessions.userId))
    .leftJoin(teachers, eq(teachers.id, users.id))
    .where(eq(authSessions.id, id))
    .limit(1);
  const row = rows[0];
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

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(authSessions).where(eq(authSessions.id, sessionId));
}
