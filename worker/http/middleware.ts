/** The request pipeline before any route: the log line, the clock, the origin check. */
import type { MiddlewareHandler } from 'hono';
import { withAuditClient } from '../audit.ts';
import { requestNow, TEST_CLOCK_HEADER } from '../clock.ts';
import { config } from '../env.ts';
import { DomainError } from '../errors.ts';
import { maskPath } from '../log/mask.ts';
import { clientIp } from './rate-limit.ts';
import type { AppEnv } from './types.ts';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** One log line per request, with tokens masked out of the path and no query string. */
export const requestLog: MiddlewareHandler<AppEnv> = async (c, next) => {
  // Duration only: no decision is made on this, so it reads the wall clock rather than the request's "now".
  const started = Date.now();
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
 * Endpoints authenticated only by an API key or a signature in a header (server to server). They never read a
 * cookie, so a forged cross-site request has nothing to ride on.
 */
const API_KEY_ENDPOINTS = new Set(['/api/booking/confirm', '/api/webhooks/resend']);

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
 * Sets the request's "now" (clock.ts), once, before anything reads it: the wall clock, or in test mode the
 * X-Slotcast-Now header. Outside test mode the header is refused with a 400.
 */
/** The request's address and user agent, for the audit entries it writes (audit.ts). */
export const useAuditClient: MiddlewareHandler<AppEnv> = (c, next) =>
  withAuditClient({ ip: clientIp(c.req), userAgent: c.req.header('user-agent') }, next);

export const useClock: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('now', requestNow(c.env, c.req.header(TEST_CLOCK_HEADER)));
  await next();
};
