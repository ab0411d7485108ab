/**
 * The period an analytics answer covers: whole days in the teacher's time zone, `from` and `to` inclusive, so a
 * week that holds a daylight-saving change is 167 or 169 hours long and still seven days. The period before it
 * (for "change against the previous period") is the same number of days right before `from`.
 */
import { Temporal } from 'temporal-polyfill';

/** The longest period one request may ask for; the previous period doubles what is read. */
export const MAX_PERIOD_DAYS = 366;
/** Without `from`/`to`: the last 30 days up to and including today. */
export const DEFAULT_PERIOD_DAYS = 30;

export interface Period {
  /** Inclusive first and last day, as `YYYY-MM-DD` in the teacher's zone. */
  from: string;
  to: string;
  days: number;
  timeZone: string;
  /** [startMs, endMs): start of `from` to start of the day after `to`, in the teacher's zone. */
  startMs: number;
  endMs: number;
}

const startOfDay = (date: Temporal.PlainDate, timeZone: string) => date.toZonedDateTime({ timeZone }).epochMilliseconds;

function periodOf(from: Temporal.PlainDate, to: Temporal.PlainDate, timeZone: string): Period {
  return {
    from: from.toString(),
    to: to.toString(),
    days: from.until(to).days + 1,
    timeZone,
    startMs: startOfDay(from, timeZone),
    endMs: startOfDay(to.add({ days: 1 }), timeZone),
  };
}

/** The asked period (already validated: both or neither, from ≤ to, at most MAX_PERIOD_DAYS), else the default. */
export function resolvePeriod(query: { from?: string; to?: string }, timeZone: string, now: number): Period {
  if (query.from && query.to) {
    return periodOf(Temporal.PlainDate.from(query.from), Temporal.PlainDate.from(query.to), timeZone);
  }
  const today = Temporal.Instant.fromEpochMilliseconds(now).toZonedDateTimeISO(timeZone).toPlainDate();
  return periodOf(today.subtract({ days: DEFAULT_PERIOD_DAYS - 1 }), today, timeZone);
}

/** The same number of days, ending the day before the period starts. */
export function previousPeriod(period: Period): Period {
  const from = Temporal.PlainDate.from(period.from);
  return periodOf(from.subtract({ days: period.days }), from.subtract({ days: 1 }), period.timeZone);
}

/** Days from one ISO date to the other, inclusive; 0 when either is malformed (its own check reports that). */
export function inclusiveDays(from: string, to: string): number {
  try {
    return Temporal.PlainDate.from(from).until(Temporal.PlainDate.from(to)).days + 1;
  } catch {
    return 0;
  }
}

export const inPeriod = (at: number | null | undefined, period: Pick<Period, 'startMs' | 'endMs'>) =>
  at !== null && at !== undefined && at >= period.startMs && at < period.endMs;
