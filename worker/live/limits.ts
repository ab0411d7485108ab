/**
 * How much one credential, one client address and one socket may ask of a teacher's calendar object. The object
 * is one thread for every watcher of that teacher: a link copied into a script, or one address opening
 * thousands of sockets, would stall the calendar for everyone.
 */

/**
 * Sockets per credential and per client address on one calendar object. A student opens one tab, perhaps a
 * phone and a laptop: 10 per link is generous. A teacher may keep several windows open: 20 per session. A
 * school or a household shares one address: 50 per address still lets a class watch from behind one NAT,
 * while no single address can pile up sockets without bound.
 */
export const SOCKET_CAPS = { perLink: 10, perSession: 20, perAddress: 50 } as const;

/** The tag of the sockets opened from one (hashed) client address. */
export const addressTag = (address: string) => `addr:${address}`;

/**
 * Messages per socket: a token bucket that holds `burst` and refills at `perSecond`. The app's client sends a
 * ping every 25 s and a sync when it sees a gap, so a socket that empties the bucket is not the app.
 */
export const FRAME_LIMIT = { burst: 20, perSecond: 10 } as const;

export interface TokenBucket {
  tokens: number;
  /** Wall-clock ms of the last refill (timing only, not a decision about time). */
  at: number;
}

export const fullBucket = (at: number): TokenBucket => ({ tokens: FRAME_LIMIT.burst, at });

/** Takes one message's token; false when the socket has sent more than the limit allows. */
export function takeToken(bucket: TokenBucket, at: number): boolean {
  const refill = (Math.max(0, at - bucket.at) / 1000) * FRAME_LIMIT.perSecond;
  bucket.tokens = Math.min(FRAME_LIMIT.burst, bucket.tokens + refill);
  bucket.at = at;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}
