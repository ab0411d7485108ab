/**
 * Time in tests: instants relative to now (never a calendar date that will one day be in the past), the week
 * a calendar shows, and rate-limit windows.
 */
import { Temporal } from 'temporal-polyfill';

/** A future hour, whole, `hoursAhead` from now, as an instant the API accepts. */
export function hoursFromNow(hoursAhead: number): string {
  const start = new Date(Date.now() + hoursAhead * 3_600_000);
  start.setUTCMinutes(0, 0, 0);
  return start.toISOString().slice(0, 19) + 'Z';
}

/** A calendar date `days` after today in UTC, as the API's `YYYY-MM-DD`. */
export const daysFromToday = (days: number) => Temporal.Now.plainDateISO('UTC').add({ days }).toString();

/** The `?week=` value (that week's Monday) showing an instant to someone in `timeZone`. */
export function weekParam(epochMs: number, timeZone: string): string {
  return mondayOf(
    Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(timeZone).toPlainDate(),
  ).toString();
}

export const mondayOf = (date: Temporal.PlainDate) => date.subtract({ days: date.dayOfWeek - 1 });

/** The first day on or after `from` whose UTC offset in `timeZone` differs from the day before's. */
export function nextOffsetChange(timeZone: string, from: Temporal.PlainDate): Temporal.PlainDate {
  const transition = from.toZonedDateTime({ timeZone }).getTimeZoneTransition('next');
  if (!transition) throw new Error(`${timeZone} has no offset change after ${from.toString()}`);
  return transition.toPlainDate();
}

/**
 * Rate limits count in fixed one-minute windows (as Cloudflare's simple limiter and its local emulation do).
 * A test that counts requests up to a limit first waits for a new window when the current one has less than
 * `needSeconds` left, so its requests can't straddle a reset. (A wait for a clock condition, not a fixed sleep.)
 */
export async function inFreshRateWindow(needSeconds = 20): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needSeconds * 1000) await new Promise((r) => setTimeout(r, left + 250));
}

/**
 * The timeout of a test that calls `inFreshRateWindow(needSeconds)` `waits` times: each wait can take up to
 * `needSeconds`, on top of the test's own work (the default 30 s). Without it, a test that started late in a
 * minute spent its timeout waiting and failed at random.
 */
export const timeoutWithRateWindowWaits = (needSeconds = 20, waits = 1, workMs = 30_000) =>
  workMs + waits * (needSeconds * 1000 + 250);

/** Seconds (fractional) left in the current one-minute rate-limit window, by the wall clock. */
export const secondsLeftInRateWindow = () => (60_000 - (Date.now() % 60_000)) / 1000;

/**
 * Waits until the current rate-limit window has between `minSeconds` and `maxSeconds` left, so a test that
 * runs into a limit and then waits out the window waits seconds rather than a minute. (A wait for a clock
 * condition, not a fixed sleep.)
 */
export async function nearEndOfRateWindow(minSeconds: number, maxSeconds: number): Promise<void> {
  const left = secondsLeftInRateWindow();
  if (left >= minSeconds && left <= maxSeconds) return;
  const waitSeconds = left > maxSeconds ? left - maxSeconds : left + 60 - maxSeconds;
  await new Promise((r) => setTimeout(r, waitSeconds * 1000 + 100));
}

/**
 * The next spring in which the weeks of a daylight-saving scenario are still ahead: New York moves its clocks
 * forward on the second Sunday of March, Berlin on the last, so for the week after New York's change the two
 * are five hours apart instead of six, and from the week after Berlin's change six again. The weeks are
 * computed from the time-zone database, never written down, so the scenario never slips into the past.
 */
export function nextSpringOfDifferentSummerTimes(today = Temporal.Now.plainDateISO('Europe/Berlin')) {
  for (let year = today.year; ; year++) {
    const march = Temporal.PlainDate.from({ year, month: 3, day: 1 });
    const newYorkSwitch = nextOffsetChange('America/New_York', march);
    const berlinSwitch = nextOffsetChange('Europe/Berlin', march);
    /** Monday of the week in which only New York is on summer time. */
    const gapWeek = mondayOf(newYorkSwitch.add({ days: 1 }));
    /** Monday of the first week in which both are. */
    const bothWeek = mondayOf(berlinSwitch.add({ days: 1 }));
    if (Temporal.PlainDate.compare(gapWeek, today.add({ days: 1 })) > 0)
      return { newYorkSwitch, berlinSwitch, gapWeek, bothWeek };
  }
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A day as the week view labels it in British English, e.g. "Tue 16 Mar". */
export const dayLabel = (date: Temporal.PlainDate) =>
  `${WEEKDAYS[date.dayOfWeek - 1]} ${date.day} ${MONTHS[date.month - 1]}`;
