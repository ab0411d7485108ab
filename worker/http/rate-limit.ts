import { systemNow } from '../clock.ts';
import { DomainError } from '../errors.ts';

/** Every binding in wrangler.toml counts per 60-second period. */
const DEFAULT_PERIOD_SECONDS = 60;

/**
 * Seconds until the limiter's current window ends. The binding doesn't say; Cloudflare's simple limiter and
 * its local emulation count in fixed windows of `period` seconds aligned to the epoch (Miniflare rolls a key
 * over at `floor(now / period)`), so the window ends at the next multiple of the period. Production counters
 * are per Cloudflare location and only eventually consistent, so this is the honest best answer, not a
 * promise (DESIGN.md, "Rate limits").
 */
export function secondsLeftInWindow(now: number, periodSeconds = DEFAULT_PERIOD_SECONDS): number {
  const periodMs = periodSeconds * 1000;
  return Math.max(1, Math.ceil((periodMs - (now % periodMs)) / 1000));
}

/**
 * Checks a Workers rate-limit binding for one key. A refused caller is told how long the current window has
 * left. The window runs on the runtime's wall clock, which the test clock (X-Slotcast-Now) doesn't move, so
 * `now` is the wall clock's unless a caller knows better (timing, not a decision: clock.ts).
 */
export async function enforceRateLimit(
  limiter: RateLimit,
  key: string,
  what: string,
  { now = systemNow(), periodSeconds = DEFAULT_PERIOD_SECONDS }: { now?: number; periodSeconds?: number } = {},
): Promise<void> {
  const { success } = await limiter.limit({ key });
  if (!success) {
    const retryAfter = secondsLeftInWindow(now, periodSeconds);
    throw new DomainError(
      'rate_limited',
      429,
      `Too many ${what}. Please wait ${retryAfter === 1 ? 'a second' : `${retryAfter} seconds`} and try again.`,
      { headers: { 'Retry-After': String(retryAfter) } },
    );
  }
}

/** The client address as Cloudflare reports it; loopback during local runs. */
export function clientIp(headers: { header(name: string): string | undefined }): string {
  return headers.header('cf-connecting-ip') ?? '127.0.0.1';
}
