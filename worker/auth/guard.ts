/**
 * The session guards: who is signed in (once per request), which role a route needs, and the teacher write
 * that may assert a remembered session inside its own batch (session-cache.ts).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Teacher } from '../../db/schema.ts';
import { getDb, isConstraintError } from '../db.ts';
import { DomainError } from '../errors.ts';
import type { AppEnv } from '../http/types.ts';
import { readSessionCookie } from './cookies.ts';
import { assertSession, forgetSession, recallSession, rememberSession, type SessionGuard } from './session-cache.ts';
import { validateSessionToken } from './session.ts';

/**
 * Writes that check the session inside their own batch (worker/auth/session-cache.ts): on these, a session
 * this isolate validated recently costs no round trip before the write.
 */
const SESSION_ASSERTED_WRITES = new Set(['POST /api/teacher/slots', 'POST /api/teacher/slots/recurring']);

export const signInFirst = () => new DomainError('unauthenticated', 401, 'Please sign in.');

/** Validates the session against the database, for this request and for the write fast path later. */
async function authenticate(c: Context<AppEnv>, token: string | undefined) {
  const now = c.get('now');
  const auth = token
    ? await validateSessionToken(getDb(c.env), token, now)
    : ({ session: null, user: null, teacher: null, studentArea: false } as const);
  c.set('auth', auth);
  if (token) rememberSession(token, auth, now);
  return auth;
}

/** Resolves the session once per request. */
export const loadSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = readSessionCookie(c);
  const recalled =
    token && SESSION_ASSERTED_WRITES.has(`${c.req.method} ${c.req.path}`) ? recallSession(token, c.get('now')) : null;
  if (recalled) {
    c.set('auth', recalled.auth);
    c.set('sessionAssertion', recalled.assertion);
  } else {
    await authenticate(c, token);
  }
  await next();
};

/**
 * Runs a teacher's write. On a remembered session the write's batch opens with the session assertion; if the
 * database refuses it (signed out, expired, settings changed), the session is validated the ordinary way and
 * the write runs once more on what the database says now.
 */
export async function asAssertedTeacher<T>(
  c: Context<AppEnv>,
  write: (teacher: Teacher, guard: SessionGuard | null) => Promise<T>,
): Promise<T> {
  const assertion = c.get('sessionAssertion');
  if (!assertion) return write(currentTeacher(c), null);
  try {
    return await write(currentTeacher(c), assertSession(getDb(c.env), assertion, c.get('now')));
  } catch (error) {
    if (!isConstraintError(error, 'SESSION_INVALID')) throw error;
  }
  forgetSession(assertion.sessionId);
  if (!(await authenticate(c, readSessionCookie(c))).user) throw signInFirst();
  return write(currentTeacher(c), null);
}

/** The teacher area: anyone with a teacher profile, whatever else they are (one person may have both areas). */
export const requireTeacher = createMiddleware<AppEnv>(async (c, next) => {
  const auth = c.get('auth');
  if (!auth.user) throw signInFirst();
  if (!auth.teacher) throw new DomainError('forbidden', 403, 'This page is for teachers.');
  await next();
});

/** The signed-in teacher; only valid behind requireTeacher. */
export function currentTeacher(c: { get(key: 'auth'): AppEnv['Variables']['auth'] }) {
  const { teacher } = c.get('auth');
  if (!teacher) throw new DomainError('forbidden', 403, 'This page is for teachers.');
  return teacher;
}

/** The student area: anyone with a student's side (auth/session.ts), a teacher who booked another teacher too. */
export const requireStudent = createMiddleware<AppEnv>(async (c, next) => {
  const { user, studentArea } = c.get('auth');
  if (!user) throw signInFirst();
  if (!studentArea) throw new DomainError('forbidden', 403, 'This page is for students.');
  await next();
});
