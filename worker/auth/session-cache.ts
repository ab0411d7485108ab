/**
 * The hot write path of the live calendar (a teacher creating slots) validates the session inside its own
 * write batch instead of in a round trip before it: this isolate remembers sessions it has validated, and
 * the batch starts with an assertion the database checks (migration 0003). Nothing is trusted from memory
 * alone: a signed-out, expired or disabled session, or a teacher whose settings changed since, rolls the
 * batch back, and the request is retried once the ordinary way. Reads, and every other write, still
 * validate the session before anything else.
 */
import type { Teacher } from '../../db/schema.ts';
import { sessionAssertions } from '../../db/schema.ts';
import { constantTimeEqual, sha256Bytes } from '../crypto/hash.ts';
import type { Db } from '../db.ts';
import type { SessionAssertion, SessionResult } from '../http/types.ts';
import { ABSOLUTE_LIFETIME_MS, INACTIVITY_TIMEOUT_MS } from './session.ts';

/** How long a validated session is remembered; the assertion, not this, decides validity. */
const REMEMBER_MS = 5 * 60 * 1000;
const MAX_REMEMBERED = 1000;

type TeacherSession = Extract<SessionResult, { session: { id: string } }> & { teacher: Teacher };

interface Remembered {
  secretHash: Uint8Array;
  auth: TeacherSession;
  at: number;
}

const remembered = new Map<string, Remembered>();

const split = (token: string) => {
  const [id, secret, extra] = token.split('.');
  return id && secret && extra === undefined ? { id, secret } : null;
};

/** Keeps a teacher's freshly validated session for the write fast path. */
export function rememberSession(token: string, auth: SessionResult, now: number): void {
  const parts = split(token);
  if (!parts || !auth.session || !auth.teacher) return;
  if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
  remembered.set(parts.id, { secretHash: sha256Bytes(parts.secret), auth: auth as TeacherSession, at: now });
}

/** A remembered session for this exact token, with the assertion its write batch must carry. */
export function recallSession(
  token: string,
  now: number,
): { auth: TeacherSession; assertion: SessionAssertion } | null {
  const parts = split(token);
  const entry = parts ? remembered.get(parts.id) : undefined;
  if (!parts || !entry) return null;
  if (now - entry.at > REMEMBER_MS) {
    remembered.delete(parts.id);
    return null;
  }
  const secretHash = sha256Bytes(parts.secret);
  if (!constantTimeEqual(secretHash, entry.secretHash)) return null;
  return {
    auth: entry.auth,
    assertion: { sessionId: parts.id, secretHash, teacherUpdatedAt: entry.auth.teacher.updatedAt },
  };
}

/**
 * True when this exact token (id and secret) was validated on this isolate within the last few minutes: not a
 * made-up cookie, so its request may spend the session's own budget alone (guard.ts). Decides no access.
 */
export function isRememberedSession(token: string, now: number): boolean {
  return recallSession(token, now) !== null;
}

export function forgetSession(sessionId: string): void {
  remembered.delete(sessionId);
}

/** The statement that opens a write batch made on a remembered session. */
export function assertSession(db: Db, assertion: SessionAssertion, now: number) {
  return db.insert(sessionAssertions).values({
    sessionId: assertion.sessionId,
    secretHash: Buffer.from(assertion.secretHash),
    teacherUpdatedAt: assertion.teacherUpdatedAt,
    at: now,
    absoluteLifetimeMs: ABSOLUTE_LIFETIME_MS,
    inactivityTimeoutMs: INACTIVITY_TIMEOUT_MS,
  });
}

/** The statement a remembered session's write opens its batch with. */
export type SessionGuard = ReturnType<typeof assertSession>;
