/**
 * How a live calendar connects and reconnects: the partysocket options and the reconnect schedule of the web
 * client, shared so that `npm run bench -- reconnect` opens its sockets exactly the way the pages do.
 * Pure: no runtime APIs beyond a timer.
 *
 * A deploy drops every socket of every calendar at the same moment. Two things keep the way back calm
 * (DESIGN.md, "Live updates"):
 * - **Full jitter.** Each attempt after a drop waits a random time between 0 and a window that doubles per
 *   failed attempt (5 s, 10 s, 20 s … at most 60 s), so a thousand clients arrive spread over seconds, not
 *   in the same millisecond, and a client that failed once doesn't fall into step with the others.
 *   partysocket's own backoff has no randomness, so its delays are zero here and the wait happens in the URL
 *   provider (`nextLiveUrl`), which partysocket awaits before each attempt.
 * - **Patience.** An upgrade that a busy server has queued is waited for (30 s), not abandoned after
 *   partysocket's default 4 s and sent again: the server finishes an abandoned upgrade anyway, so abandoning
 *   doubles its work exactly when it has the least time.
 */
import type { Options } from 'partysocket/ws';

/** The reconnect schedule: full jitter over a window that doubles per attempt, from `firstWindowMs` to `maxWindowMs`. */
export const LIVE_RECONNECT = { firstWindowMs: 5_000, maxWindowMs: 60_000, connectionTimeoutMs: 30_000 } as const;

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
 * first attempt after a drop). The first connection goes at once.
 */
export function reconnectDelayMs(retryCount: number, random: () => number = Math.random): number {
  if (retryCount <= 0) return 0;
  const window = Math.min(LIVE_RECONNECT.maxWindowMs, LIVE_RECONNECT.firstWindowMs * 2 ** (retryCount - 1));
  return random() * window;
}

/** A ticket for the next upgrade (from the page's calendar read, renewed over the socket at each heartbeat). */
export interface LiveTicket {
  value: string;
  expiresAt: number;
}

/** The socket's path for its next attempt: with the ticket while it is good, so the upgrade skips the database. */
export function liveSocketUrl(path: string, ticket: LiveTicket | null, now: number): string {
  return ticket && ticket.expiresAt > now ? `${path}?ticket=${encodeURIComponent(ticket.value)}` : path;
}

/**
 * partysocket's URL provider: waits this attempt's jittered delay, then builds the URL from what the client
 * knows at that moment (a ticket renewed meanwhile is used).
 */
export async function nextLiveUrl(retryCount: number, url: () => string): Promise<string> {
  const delay = reconnectDelayMs(retryCount);
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  return url();
}
