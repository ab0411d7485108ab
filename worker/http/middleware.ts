import type { Context, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Teacher } from '../../db/schema.ts';
import { assertSession, forgetSession, recallSession, rememberSession } from '../auth/session-cache.ts';
import { getDb, isConstraintError } from '../db.ts';
import { config } from '../env.ts';
import { DomainError } from '../errors.ts';
import { readSessionCookie } from '../auth/cookies.ts';
import { validateSessionToken } from '../auth/session.ts';
import type { AppEnv } from './types.ts';
import { maskPath } from './mask.ts';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** One log line per request, with tokens masked out of the path and no query string. */
export const requestLog: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = Date.now();
  c.set('now', started);
  await next();
  console.log(
    JSON.stringify({
      method: c.req.method,
      path: maskPath(c.req.path),
      status: c.res.status,
      ms: Date.now() - started,
    }),
  );
};

/**
 * Endpoints authenticated only by an API key in a header (server to server). They never read a cookie, so a
 * forged cross-site request has nothing to ride on.
 */
const API_KEY_ENDPOINTS = new Set(['/api/booking/confirm']);

/**
 * Cross-site request forgery guard: a state-changing request, or a WebSocket upgrade, must come from our own
 * origin, except on the API-key endpoints.
 */
export const checkOrigin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const upgrade = c.req.header('upgrade')?.toLowerCase() === 'websocket';
  if (STATE_CHANGING.has(c.req.method) || upgrade) {
    if (!API_KEY_ENDPOINTS.has(c.req.path)) {
      // Exactly the configured origin: the request's own Host is the caller's to choose, so it proves nothing.
      const origin = c.req.header('origin');
      if (origin !== new URL(config(c.env).APP_URL).origin) {
        throw new DomainError('bad_origin', 403, 'This request must come from the Slotcast app.');
      }
    }
  }
  await next();
};

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
    : { session: null, user: null, teacher: null };
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

export type SessionGuard = ReturnType<typeof assertSession>;

export const requireTeacher = createMiddleware<AppEnv>(async (c, next) => {
  const auth = c.get('auth');
  if (!auth.user) throw signInFirst();
  if (auth.user.role !== 'teacher' || !auth.teacher)
    throw new DomainError('forbidden', 403, 'This page is for teachers.');
  await next();
});

/** The signed-in teacher; only valid behind requireTeacher. */
export function currentTeacher(c: { get(key: 'auth'): AppEnv['Variables']['auth'] }) {
  const { teacher } = c.get('auth');
  if (!teacher) throw new DomainError('forbidden', 403, 'This page is for teachers.');
  return teacher;
}
