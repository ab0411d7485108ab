/**
 * The one clock. Every decision that depends on the time (session expiry, sign-in and share links, booking
 * notice, horizon and cancellation windows, outbox backoff, the cron sweep) reads "now" from here, once per
 * request or job, and passes it down as `now: number` (epoch ms). Nothing below the routes calls `Date.now()`
 * for a decision.
 *
 * Test mode: `scripts/stack.ts` sets SLOTCAST_TEST_CLOCK=1 when a stack is started for tests (never
 * wrangler.toml, `npm run dev` or production). Then a request header `X-Slotcast-Now: <epoch ms>` sets "now"
 * for that request. Outside test mode a request carrying the header is refused, so nobody believes it worked.
 */
import { DomainError } from './errors.ts';

export const TEST_CLOCK_HEADER = 'x-slotcast-now';

/** True only on a stack started for tests. */
export const testClockEnabled = (env: { SLOTCAST_TEST_CLOCK?: unknown }) => env.SLOTCAST_TEST_CLOCK === '1';

/** The wall clock. The only `Date.now()` that decides anything; everything else receives its result. */
export const systemNow = () => Date.now();

/**
 * "Now" for one request: the wall clock, or in test mode the instant the header names. A header outside test
 * mode, or one that is not an instant, is a 400.
 */
export function requestNow(env: { SLOTCAST_TEST_CLOCK?: unknown }, header: string | undefined): number {
  if (header === undefined) return systemNow();
  if (!testClockEnabled(env))
    throw new DomainError(
      'test_clock_refused',
      400,
      'X-Slotcast-Now is honoured only by a stack started for tests; this request was not run.',
    );
  const at = Number(header);
  if (!Number.isSafeInteger(at) || at <= 0)
    throw new DomainError('test_clock_invalid', 400, 'X-Slotcast-Now must be an instant in epoch milliseconds.');
  return at;
}

/**
 * How far a request's "now" is from the wall clock. A queue message carries it in test mode, so the consumer
 * runs at the same shifted time as the request that queued it (and its retries keep the shift); production
 * messages carry nothing and the consumer reads the wall clock.
 */
export function clockShift(env: { SLOTCAST_TEST_CLOCK?: unknown }, now: number): number | undefined {
  return testClockEnabled(env) ? now - systemNow() : undefined;
}

/** "Now" for a queue message: the wall clock moved by the shift its producer recorded (test mode only). */
export function shiftedNow(env: { SLOTCAST_TEST_CLOCK?: unknown }, shiftMs: number | undefined): number {
  return systemNow() + (testClockEnabled(env) && shiftMs !== undefined ? shiftMs : 0);
}
