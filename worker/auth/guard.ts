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
import {
  assertSession,
  forgetSession,
  isRememberedSession,
  recallSession,
  rememberSession,
  type SessionGuard,
} from './session-cache.ts';
import type { BatchItem } from 'drizzle-orm/batch';
import { parseSessionToken, validateSessionToken, validateSessionWithRead, type UserKey } from './session.ts';
import { clientIp, enforceRateLimit } from '../http/rate-limit.ts';

/**
 * Writes that check the session inside their own batch (worker/auth/session-cache.ts): on these, a session
 * this isolate validated recently costs no round trip before the write.
 */
const SESSION_ASSERTED_WRITES = new Set(['POST /api/teacher/slots', 'POST /api/teacher/slots/recurring']);

/**
 * Reads that validate the session in their own batch (`readAsTeacher`): the session middleware leaves them the
 * session, so the read costs one round trip, not two.
 */
const SESSION_IN_READ = new Set(['GET /api/teacher/calendar']);

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

/**
 * Spends a signed-in request's budget before its session is looked up (DESIGN.md, "Rate limits"): the client
 * address's first, so made-up cookies can't buy unlimited lookups, then the session's own, reads and writes
 * apart. A cookie that can't be one of ours is never looked up, so it spends only the address's budget.
 */
async function limitSignedInRequest(c: Context<AppEnv>, token: string) {
  // A cookie this isolate has just validated (id and secret) is no made-up one: the session's budget bounds it.
  if (!isRememberedSession(token, c.get('now')))
    await enforceRateLimit(c.env.RL_SESSION_IP, `ip:${clientIp(c.req)}`, 'requests from this network');
  const session = parseSessionToken(token);
  if (!session) return;
  const reading = c.req.method === 'GET' || c.req.method === 'HEAD';
  await enforceRateLimit(
    reading ? c.env.RL_SESSION_READ : c.env.RL_SESSION_WRITE,
    `session:${session.id}`,
    reading ? 'requests' : 'changes',
  );
}

/** Resolves the session once per request, after the request's rate limits. */
export const loadSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = readSessionCookie(c);
  if (token) await limitSignedInRequest(c, token);
  if (token && SESSION_IN_READ.has(`${c.req.method} ${c.req.path}`)) {
    // Signed out until readAsTeacher validates the session with the route's read.
    c.set('auth', { session: null, user: null, teacher: null, studentArea: false });
    c.set('sessionInRead', true);
    await next();
    return;
  }
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

/**
 * A teacher's read in one round trip: the session is validated in the read's own batch (the read finds the
 * teacher by the session's user id). The answer is the read's only if the session holds and is a teacher's;
 * otherwise 401/403 as requireTeacher gives. On a request whose session the middleware already validated (a
 * path not in SESSION_IN_READ) it just reads, after the session's own round trip.
 */
export async function readAsTeacher<T extends BatchItem<'sqlite'>>(
  c: Context<AppEnv>,
  read: (teacher: UserKey) => T,
): Promise<{ teacher: Teacher; read: Awaited<T> }> {
  if (!c.get('sessionInRead'))
    return { teacher: currentTeacher(c), read: (await read({ userId: currentTeacher(c).id })) as Awaited<T> };
  const token = readSessionCookie(c);
  const now = c.get('now');
  const result = await validateSessionWithRead(getDb(c.env), token ?? '', now, read);
  c.set('auth', result.auth);
  c.set('sessionInRead', false);
  if (token) rememberSession(token, result.auth, now);
  if (!result.auth.user) throw signInFirst();
  const teacher = currentTeacher(c);
  return { teacher, read: result.read! };
}

/** The teacher area: anyone with a teacher profile, whatever else they are (one person may have both areas). */
export const requireTeacher = createMiddleware<AppEnv>(async (c, next) => {
  // A read that validates the session in its own batch answers 401/403 itself (readAsTeacher).
  if (c.get('sessionInRead')) return next();
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
