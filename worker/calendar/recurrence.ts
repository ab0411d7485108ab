/**
 * Weekly recurring slots in the teacher's time zone. Wall-clock times are resolved per date with Temporal, so
 * a 09:00 slot stays at 09:00 local across daylight-saving changes (its UTC instant moves instead).
 */
import { Temporal } from 'temporal-polyfill';

export interface WeeklyRule {
  /** ISO days of week: 1 = Monday … 7 = Sunday. */
  days: number[];
  /** Wall-clock start, "HH:MM". */
  startTime: string;
  lengthMinutes: number;
  /** Inclusive calendar dates, "YYYY-MM-DD", in the teacher's zone. */
  from: string;
  until: string;
  timeZone: string;
}

export interface Interval {
  startsAt: number;
  endsAt: number;
}

export const MAX_OCCURRENCES = 500;

/**
 * Resolves a wall-clock time on a date in a zone. A time skipped by a spring-forward change moves forward by
 * the gap (02:30 becomes 03:30); a repeated autumn time takes its first occurrence. Both are Temporal's
 * 'compatible' rule, the one calendar apps use.
 */
export function zonedInstant(date: Temporal.PlainDate, time: Temporal.PlainTime, timeZone: string): number {
  return date.toZonedDateTime({ timeZone, plainTime: time }).epochMilliseconds;
}

/** Every occurrence of the rule, in order. Lengths are real elapsed minutes. */
export function expandWeeklyRule(rule: WeeklyRule): Interval[] {
  const from = Temporal.PlainDate.from(rule.from);
  const until = Temporal.PlainDate.from(rule.until);
  const time = Temporal.PlainTime.from(rule.startTime);
  const days = new Set(rule.days);
  const out: Interval[] = [];
  for (let date = from; Temporal.PlainDate.compare(date, until) <= 0; date = date.add({ days: 1 })) {
    if (!days.has(date.dayOfWeek)) continue;
    const startsAt = zonedInstant(date, time, rule.timeZone);
    out.push({ startsAt, endsAt: startsAt + rule.lengthMinutes * 60_000 });
    if (out.length > MAX_OCCURRENCES) break;
  }
  return out;
}

/**
 * Reads a slot start: an ISO instant with an offset or Z ("2027-03-10T08:00:00Z") is taken as is; a wall time
 * without one ("2027-03-10T09:00") is read in the teacher's zone.
 */
export function parseSlotStart(input: string, timeZone: string): number | null {
  try {
    if (/(Z|[+-]\d{2}:?\d{2})$/i.test(input)) return Temporal.Instant.from(input).epochMilliseconds;
    const wall = Temporal.PlainDateTime.from(input);
    return wall.toZonedDateTime(timeZone).epochMilliseconds;
  } catch {
    return null;
  }
}
