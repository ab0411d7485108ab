import { Hono, type Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import { ABSOLUTE_LIFETIME_MS, INACTIVITY_TIMEOUT_MS } from '../auth/session.ts';
import { readSessionCookie } from '../auth/cookies.ts';
import { clockShift } from '../clock.ts';
import { getDb } from '../db.ts';
import { config } from '../env.ts';
import { DomainError } from '../errors.ts';
import { currentTeacher, requireTeacher } from '../auth/guard.ts';
import { clientIp, enforceRateLimit } from '../http/rate-limit.ts';
import type { AppEnv } from '../http/types.ts';
import type { SocketRequest } from '../live/credentials.ts';
import { calendarStub } from '../live/publish.ts';
import { isKnownLink } from '../share-links/known-links.ts';
import { isRememberedSession } from '../auth/session-cache.ts';
import { checkTicket, issueTicket, keyHash, type TicketClaims } from '../live/ticket.ts';
import type { ResolvedLink } from '../share-links/resolve.ts';
import { resolveLink } from '../share-links/resolve.ts';

/** Who may watch which calendar with which credential: what a socket is opened with, and what a ticket carries. */
export type Watch = Omit<TicketClaims, 'expiresAt'>;

/** A student watching through a share link (checked by the caller). */
export function linkWatch({ link, student, teacher }: ResolvedLink, token: string): Watch {
  return {
    teacherId: teacher.id,
    audience: { kind: 'student', studentId: student.id, linkId: link.id },
    credential: { kind: 'link', id: link.id, expiresAt: link.expiresAt },
    binding: keyHash(token),
  };
}

/** The teacher watching their own calendar with the session of this request (validated by the middleware). */
export function sessionWatch(c: Context<AppEnv>): Watch {
  const teacher = currentTeacher(c);
  const { session } = c.get('auth');
  if (!session) throw new DomainError('unauthenticated', 401, 'Please sign in.');
  return {
    teacherId: teacher.id,
    audience: { kind: 'teacher', teacherId: teacher.id },
    credential: {
      kind: 'session',
      id: session.id,
      expiresAt: session.expiresAt,
      idleTimeoutMs: INACTIVITY_TIMEOUT_MS,
      absoluteLifetimeMs: ABSOLUTE_LIFETIME_MS,
    },
    binding: keyHash(readSessionCookie(c) ?? ''),
  };
}

/** A ticket for the page's next live upgrade, given with a calendar read that has just checked the credential. */
export const liveTicket = (c: Context<AppEnv>, watch: Watch) =>
  issueTicket(config(c.env).SECRET_KEY, watch, c.get('now'));

/**
 * The first step of every live upgrade (app.ts mounts it ahead of the session middleware). An upgrade with a
 * good ticket (`?ticket=`, checked by its signature alone) goes straight to the calendar object, spending its
 * link's or session's budget (connectWithTicket). Every other upgrade spends the client address's portal-read
 * budget (RL_PORTAL_READ, the same key as portal calendar reads) before anything looks a token or a session
 * up, so even a cookie that isn't a session, or a forged or expired ticket, costs budget first. An upgrade
 * whose link token or session cookie this isolate has just seen hold is no guess either: it spends the link's
 * or the session's budget alone, in the steps after this one (share-links/known-links.ts,
 * auth/session-cache.ts).
 *
 * A good ticket skips the address's budget because it can't be guessed: it is an HMAC this Worker made for
 * that credential's holder at most 90 s ago, after the database vouched for it. After a deploy every isolate
 * is fresh and knows no credential, so without this every one of a thousand returning sockets spent two
 * rate-limit checks instead of one (DESIGN.md, "Live updates"). Checking the signature first is less work
 * than the rate-limit check it saves.
 */
export const admitLiveUpgrade = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket')
    throw new DomainError('upgrade_required', 400, 'Connect with a WebSocket.');
  catchUpFrom(c);
  const ticket = await presentedTicket(c);
  if (ticket?.checked.ok) return connectWithTicket(c, ticket.token, ticket.checked.claims);
  if (ticket || !knownCredential(c))
    await enforceRateLimit(c.env.RL_PORTAL_READ, `ip:${clientIp(c.req)}`, 'requests from this network');
  if (ticket && !ticket.checked.ok)
    throw ticket.checked.why === 'expired'
      ? new DomainError('ticket_expired', 401, 'This live connection ticket has expired. Reload the calendar.')
      : new DomainError('ticket_invalid', 403, 'This live connection ticket is not valid here.');
  await next();
});

function knownCredential(c: Context<AppEnv>): boolean {
  const path = LIVE_PATH.exec(c.req.path);
  if (!path) return false;
  const token = path[1];
  if (token !== undefined) return isKnownLink(token);
  const cookie = readSessionCookie(c);
  return cookie !== undefined && isRememberedSession(cookie, c.get('now'));
}

/**
 * Hands an authenticated WebSocket upgrade to the teacher's calendar object: who is watching, the credential
 * that lets them (the object closes the socket when it ends), the hashed client address (for the per-address
 * cap) and the version read with the credential (so a fresh object starts from what the database says).
 */
function connect(c: Context<AppEnv>, watch: Watch, version: number, viaTicket = false) {
  const since = catchUpFrom(c);
  const socket: SocketRequest = {
    ...watch,
    version,
    address: keyHash(clientIp(c.req)),
    clockShiftMs: clockShift(c.env, c.get('now')),
    ...(viaTicket ? { viaTicket } : {}),
    ...(since === undefined ? {} : { since }),
  };
  const headers = new Headers(c.req.raw.headers);
  // Set, never appended: a client's own x-slotcast-socket header is replaced.
  headers.set('x-slotcast-socket', JSON.stringify(socket));
  return calendarStub(c.env, watch.teacherId).fetch(new Request(c.req.raw.url, { headers }));
}

// Digits only: a blank, a sign, an exponent or a fraction is no version (Number() would read ' ' as 0).
const sinceQuery = z
  .string()
  .regex(/^\d{1,16}$/)
  .transform(Number)
  .pipe(z.number().max(Number.MAX_SAFE_INTEGER));

/**
 * The version the client already holds (`?since=`), so the object answers its catch-up with the hello instead
 * of waiting for the client's `sync`: one message less each way for every socket coming back after a deploy.
 * Absent: the client asks with `sync` itself, as before. Malformed: a 400 before anything else is done.
 */
function catchUpFrom(c: Context<AppEnv>): number | undefined {
  const value = c.req.query('since');
  if (value === undefined) return undefined;
  const parsed = sinceQuery.safeParse(value);
  if (!parsed.success)
    throw new DomainError('invalid_since', 400, '`since` must be a calendar version: a whole number, 0 or more.');
  return parsed.data;
}

const LIVE_PATH = /\/live\/(?:teacher|link\/([^/]+))$/;

/**
 * The ticket an upgrade brings (`?ticket=`), checked without the database: its signature, its binding to the
 * secret this request presents (the link's token in the path, or the session cookie) and its expiry. Null when
 * there is none (the request goes on to the routes below, which check the credential in the database).
 */
async function presentedTicket(c: Context<AppEnv>) {
  const value = c.req.query('ticket');
  const path = LIVE_PATH.exec(c.req.path);
  if (value === undefined || !path) return null;
  const token = path[1];
  const secret = token ?? readSessionCookie(c);
  // Nothing to bind it to: the request goes on like one without a ticket (address budget, then sign-in).
  if (!secret) return null;
  return { token, checked: await checkTicket(config(c.env).SECRET_KEY, value, keyHash(secret), c.get('now')) };
}

/**
 * An upgrade with a good ticket goes to the calendar object without the database, which is what a ticket saves;
 * the object refuses it if the credential ended meanwhile. An expired ticket is a 401 and anything else wrong
 * a 403 (admitLiveUpgrade), so a client never mistakes a ticket problem for its credential's: its page reads
 * the calendar again and gets a fresh one.
 */
async function connectWithTicket(c: Context<AppEnv>, token: string | undefined, claims: TicketClaims) {
  // The same second budget as the database path: per link, or per session.
  await enforceRateLimit(
    c.env.RL_PORTAL_READ,
    claims.credential.kind === 'link' ? `link:${keyHash(token!)}` : `session:${keyHash(claims.credential.id)}`,
    claims.credential.kind === 'link' ? 'requests for this link' : 'connections from this session',
  );
  const { expiresAt: _ticketExpiry, ...watch } = claims;
  return connect(c, watch, 0, true);
}

export const liveRoutes = new Hono<AppEnv>()
  .get('/teacher', requireTeacher, async (c) => {
    const watch = sessionWatch(c);
    await enforceRateLimit(
      c.env.RL_PORTAL_READ,
      `session:${keyHash(watch.credential.id)}`,
      'connections from this session',
    );
    return connect(c, watch, currentTeacher(c).calendarVersion);
  })
  /** A student watching through a share link: privacy-filtered, closed when the link is revoked or expires. */
  .get('/link/:token', async (c) => {
    const token = c.req.param('token');
    // Before the lookup, with the same key as the portal's reads of this link.
    await enforceRateLimit(c.env.RL_PORTAL_READ, `link:${keyHash(token)}`, 'requests for this link');
    const resolved = await resolveLink(getDb(c.env), token, c.get('now'), ['active', 'used_up']);
    return connect(c, linkWatch(resolved, token), resolved.teacher.calendarVersion);
  });
