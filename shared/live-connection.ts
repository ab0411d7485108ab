/**
 * How a live calendar connects and reconnects: the partysocket options and the reconnect schedule of the web
 * client, shared so that `npm run bench -- reconnect` opens its sockets exactly the way the pages do.
 * Pure: no runtime APIs beyond a timer.
 *
 * A deploy drops every socket of every calendar at the same moment. Two things keep the way back calm
 * (DESIGN.md, "Live updates"):
 * - **Full jitter, over a window the calendar sets.** Each attempt after a drop waits a random time between 0
 *   and a window that doubles per failed attempt (at most 60 s), so a thousand clients arrive spread over
 *   seconds, not in the same millisecond, and a client that failed once doesn't fall into step with the others.
 *   The first window is the one the calendar's object last announced (`reconnectWindowMs` in its hello and
 *   heartbeats): wide enough that all its watchers together come back at about `upgradesPerSecond`, so a
 *   calendar a thousand people watch spreads them over 8 s while a tutor's few watchers are back within 1 s.
 *   partysocket's own backoff has no randomness, so its delays are zero here and the wait happens in the URL
 *   provider (`nextLiveUrl`), which partysocket awaits before each attempt.
 * - **Patience.** An upgrade that a busy server has queued is waited for (30 s), not abandoned after
 *   partysocket's default 4 s and sent again: the server finishes an abandoned upgrade anyway, so abandoning
 *   doubles its work exactly when it has the least time.
 */
import type { Options } from 'partysocket/ws';

/**
 * The reconnect schedule: full jitter over a window that doubles per attempt, from the calendar's announced
 * window (`firstWindowMs` until one is announced) to `maxWindowMs`.
 */
export const LIVE_RECONNECT = {
  firstWindowMs: 5_000,
  minWindowMs: 1_000,
  maxWindowMs: 60_000,
  /**
   * The rate at which a calendar's watchers come back after a drop, all together: a fraction of what one
   * object (one thread) accepts, so that changes made meanwhile don't queue behind the upgrades. Locally a bare
   * room takes 180–430 upgrades a second on this machine's two cores (DESIGN.md, "Live updates").
   */
  upgradesPerSecond: 125,
  connectionTimeoutMs: 30_000,
} as const;

/**
 * The first reconnect window a calendar object announces to its `watchers`: long enough for all of them to come
 * back at `upgradesPerSecond`, rounded up to a power of two seconds (1, 2, 4, 8 s …, at most the largest window).
 * Powers of two keep the announcements rare as a calendar fills (one at 126, 251, 501 … watchers), and tell a
 * watcher no more than the order of magnitude of how many others there are.
 */
export function reconnectWindowFor(watchers: number): number {
  const seconds = Math.max(1, watchers / LIVE_RECONNECT.upgradesPerSecond);
  return Math.min(LIVE_RECONNECT.maxWindowMs, 1_000 * 2 ** Math.ceil(Math.log2(seconds)));
}

/** An announced window the client will use: a number of ms within the schedule's bounds, or null to keep its own. */
export function acceptedWindow(value: unknown): number | null {
  return typeof value === 'number' && value >= LIVE_RECONNECT.minWindowMs && value <= LIVE_RECONNECT.maxWindowMs
    ? value
    : null;
}

/** The partysocket options of a live calendar socket (the caller adds WebSocket in Node, and its own close rule). */
export function liveSocketOptions(): Options {
  return {
    // The wait before an attempt is nextLiveUrl's (full jitter); partysocket's own backoff is off.
    minReconnectionDelay: 0,
    maxReconnectionDelay: 0,
    connectionTimeout: LIVE_RECONNECT.connectionTimeoutMs,
  };
}

/**
 * How long to wait before attempt `retryCount` (partysocket's count: 0 for the first connection, 1 for the
 * first attempt after a drop), given the first window. The first connection goes at once.
 */
export function reconnectDelayMs(
  retryCount: number,
  random: () => number = Math.random,
  firstWindowMs: number = LIVE_RECONNECT.firstWindowMs,
): number {
  if (retryCount <= 0) return 0;
  const window = Math.min(LIVE_RECONNECT.maxWindowMs, firstWindowMs * 2 ** (retryCount - 1));
  return random() * window;
}

/** A ticket for the next upgrade (from the page's calendar read, renewed over the socket at each heartbeat). */
export interface LiveTicket {
  value: string;
  expiresAt: number;
}

/**
 * The socket's path for its next attempt: with the ticket while it is good, so the upgrade skips the database,
 * and with the version the client holds (`since`, when it holds one), so the catch-up comes with the hello.
 */
export function liveSocketUrl(path: string, ticket: LiveTicket | null, now: number, since?: number): string {
  const query = new URLSearchParams();
  if (ticket && ticket.expiresAt > now) query.set('ticket', ticket.value);
  if (since !== undefined && since > 0) query.set('since', String(since));
  const search = query.toString();
  return search ? `${path}?${search}` : path;
}

/**
 * partysocket's URL provider: waits this attempt's jittered delay (over the calendar's announced first window,
 * when the client has one), then builds the URL from what the client knows at that moment (a ticket renewed
 * meanwhile is used).
 */
export async function nextLiveUrl(retryCount: number, url: () => string, firstWindowMs?: number): Promise<string> {
  const delay = reconnectDelayMs(retryCount, Math.random, firstWindowMs);
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  return url();
}
