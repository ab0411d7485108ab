import type { MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { getDb } from '../db.ts';
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
  console.log(JSON.stringify({ method: c.req.method, path: maskPath(c.req.path), status: c.res.status, ms: Date.now() - started }));
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
      const origin = c.req.header('origin');
      const allowed = new URL(config(c.env).APP_URL).origin;
      if (!origin || (origin !== allowed && origin !== new URL(c.req.url).origin)) {
        throw new DomainError('bad_origin', 403, 'This request must come from the Slotcast app.');
      }
    }
  }
  await next();
};

/** Resolves the session once per request. */
export const loadSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = readSessionCookie(c);
  c.set('auth', token ? await validateSessionToken(getDb(c.env), token, c.get('now')) : { session: null, user: null, teacher: null });
  await next();
};

export const requireTeacher = createMiddleware<AppEnv>(async (c, next) => {
  const auth = c.get('auth');
  if (!auth.user) throw new DomainError('unauthenticated', 401, 'Please sign in.');
  if (auth.user.role !== 'teacher' || !auth.teacher) throw new DomainError('forbidden', 403, 'This page is for teachers.');
  await next();
});

/** The signed-in teacher; only valid behind requireTeacher. */
export function currentTeacher(c: { get(key: 'auth'): AppEnv['Variables']['auth'] }) {
  const { teacher } = c.get('auth');
  if (!teacher) throw new DomainError('forbidden', 403, 'This page is for teachers.');
  return teacher;
}
