import { Hono, type Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { ABSOLUTE_LIFETIME_MS, INACTIVITY_TIMEOUT_MS } from '../auth/session.ts';
import { clockShift } from '../clock.ts';
import { sha256Hex } from '../crypto/hash.ts';
import { getDb } from '../db.ts';
import { DomainError } from '../errors.ts';
import { currentTeacher, requireTeacher } from '../auth/guard.ts';
import { clientIp, enforceRateLimit } from '../http/rate-limit.ts';
import type { AppEnv } from '../http/types.ts';
import type { Audience } from '../live/audience.ts';
import type { LiveCredential, SocketRequest } from '../live/credentials.ts';
import { calendarStub } from '../live/publish.ts';
import { resolveLink } from '../share-links/resolve.ts';

/** A hash for limiter keys and socket tags: the limiter's store and the object must not hold a usable secret. */
const keyHash = (value: string) => sha256Hex(value).slice(0, 32);

/**
 * Every live upgrade spends the client address's portal-read budget (RL_PORTAL_READ, the same key as portal
 * calendar reads), before anything looks a token or a session up. app.ts mounts this ahead of the session
 * middleware, so even a cookie that isn't a session costs budget first.
 */
export const limitLiveUpgrades = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket')
    throw new DomainError('upgrade_required', 400, 'Connect with a WebSocket.');
  await enforceRateLimit(c.env.RL_PORTAL_READ, `ip:${clientIp(c.req)}`, 'requests from this network');
  await next();
});

/**
 * Hands an authenticated WebSocket upgrade to the teacher's calendar object: who is watching, the credential
 * that lets them (the object closes the socket when it ends), the hashed client address (for the per-address
 * cap) and the version read with the credential (so a fresh object starts from what the database says).
 */
function connect(
  c: Context<AppEnv>,
  teacher: { id: string; calendarVersion: number },
  audience: Audience,
  credential: LiveCredential,
) {
  const socket: SocketRequest = {
    teacherId: teacher.id,
    version: teacher.calendarVersion,
    audience,
    credential,
    address: keyHash(clientIp(c.req)),
    clockShiftMs: clockShift(c.env, c.get('now')),
  };
  const headers = new Headers(c.req.raw.headers);
  // Set, never appended: a client's own x-slotcast-socket header is replaced.
  headers.set('x-slotcast-socket', JSON.stringify(socket));
  return calendarStub(c.env, teacher.id).fetch(new Request(c.req.raw.url, { headers }));
}

export const liveRoutes = new Hono<AppEnv>()
  .get('/teacher', requireTeacher, async (c) => {
    const teacher = currentTeacher(c);
    const { session } = c.get('auth');
    if (!session) throw new DomainError('unauthenticated', 401, 'Please sign in.');
    await enforceRateLimit(c.env.RL_PORTAL_READ, `session:${keyHash(session.id)}`, 'connections from this session');
    return connect(
      c,
      teacher,
      { kind: 'teacher', teacherId: teacher.id },
      {
        kind: 'session',
        id: session.id,
        expiresAt: session.expiresAt,
        idleTimeoutMs: INACTIVITY_TIMEOUT_MS,
        absoluteLifetimeMs: ABSOLUTE_LIFETIME_MS,
      },
    );
  })
  /** A student watching through a share link: privacy-filtered, closed when the link is revoked or expires. */
  .get('/link/:token', async (c) => {
    const token = c.req.param('token');
    // Before the lookup, with the same key as the portal's reads of this link.
    await enforceRateLimit(c.env.RL_PORTAL_READ, `link:${keyHash(token)}`, 'requests for this link');
    const { link, student, teacher } = await resolveLink(getDb(c.env), token, c.get('now'), ['active', 'used_up']);
    return connect(
      c,
      teacher,
      { kind: 'student', studentId: student.id, linkId: link.id },
      { kind: 'link', id: link.id, expiresAt: link.expiresAt },
    );
  });
