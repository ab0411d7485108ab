/**
 * The booking page's calendar arithmetic, kept out of the components so it can be tested: which weeks are
 * loaded together, which days have free times, the time-of-day filter, and how far ahead booking reaches.
 */
import { Temporal } from 'temporal-polyfill';
import type { SlotView } from '#shared/live-protocol.ts';

/** Weeks read in one calendar request: the day strip shows them, and moving between them costs no request. */
export const BLOCK_WEEKS = 5;

export type TimeOfDay = '' | 'morning' | 'afternoon' | 'evening';
export const TIMES_OF_DAY: { value: TimeOfDay; label: string }[] = [
  { value: '', label: 'Any time' },
  { value: 'morning', label: 'Morning (before 12:00)' },
  { value: 'afternoon', label: 'Afternoon (12:00–17:00)' },
  { value: 'evening', label: 'Evening (from 17:00)' },
];

/** The part of the day a slot starts in, in the student's zone. */
export function timeOfDay(startsAt: number, timeZone: string): Exclude<TimeOfDay, ''> {
  const hour = Temporal.Instant.fromEpochMilliseconds(startsAt).toZonedDateTimeISO(timeZone).hour;
  return hour < 12 ? 'morning' : hour < 17 ? 'afternoon' : 'evening';
}

export const dateOf = (epochMs: number, timeZone: string) =>
  Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(timeZone).toPlainDate();

export const mondayOf = (date: Temporal.PlainDate) => date.subtract({ days: date.dayOfWeek - 1 });

/** The first Monday of the block of weeks that holds `monday`, counting blocks from `firstMonday`. */
export function blockStart(monday: Temporal.PlainDate, firstMonday: Temporal.PlainDate): Temporal.PlainDate {
  const weeks = Math.floor(firstMonday.until(monday, { largestUnit: 'days' }).days / 7);
  return firstMonday.add({ weeks: Math.floor(weeks / BLOCK_WEEKS) * BLOCK_WEEKS });
}

/** Epoch ms of local midnight at the start of `date`, and of the day `days` later. */
export function dayRange(date: Temporal.PlainDate, days: number, timeZone: string) {
  return {
    from: date.toZonedDateTime({ timeZone }).epochMilliseconds,
    to: date.add({ days }).toZonedDateTime({ timeZone }).epochMilliseconds,
  };
}

/** ISO dates ("2027-03-15") on which at least one of `slots` starts, in the student's zone. */
export const datesWith = (slots: SlotView[], timeZone: string) =>
  new Set(slots.map((s) => dateOf(s.startsAt, timeZone).toString()));

/** The last instant a slot may start and still be booked (the teacher's horizon). */
export const horizonEnd = (now: number, bookingHorizonDays: number) => now + bookingHorizonDays * 86_400_000;
