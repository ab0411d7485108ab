/**
 * The booking page's calendar arithmetic, kept out of the components so it can be tested: which weeks are
 * read together, which days have free times, the time-of-day filter, and how far ahead booking reaches.
 */
import type { SlotView } from '#shared/live-protocol.ts';
import { addDays, dateIn, daysBetween, hourIn, startOfDay, type IsoDate } from '#shared/dates.ts';

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
  const hour = hourIn(startsAt, timeZone);
  return hour < 12 ? 'morning' : hour < 17 ? 'afternoon' : 'evening';
}

/** The first Monday of the block of weeks that holds `monday`, counting blocks from `firstMonday`. */
export function blockStart(monday: IsoDate, firstMonday: IsoDate): IsoDate {
  const weeks = Math.floor(daysBetween(firstMonday, monday) / 7);
  return addDays(firstMonday, Math.floor(weeks / BLOCK_WEEKS) * BLOCK_WEEKS * 7);
}

/** Epoch ms of the start of `date` and of the day `days` later, in the zone. */
export const dayRange = (date: IsoDate, days: number, timeZone: string) => ({
  from: startOfDay(date, timeZone),
  to: startOfDay(addDays(date, days), timeZone),
});

/** ISO dates on which at least one of `slots` starts, in the student's zone. */
export const datesWith = (slots: SlotView[], timeZone: string) =>
  new Set(slots.map((s) => dateIn(s.startsAt, timeZone)));

/** The last instant a slot may start and still be booked (the teacher's horizon). */
export const horizonEnd = (now: number, bookingHorizonDays: number) => now + bookingHorizonDays * 86_400_000;
