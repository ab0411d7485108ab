/** The teacher's booking rules as pure checks, so they read the same in the API, the tests and the portal. */

/** The rules a teacher sets (the `teachers` columns of the same names). */
export interface BookingRules {
  minNoticeMinutes: number;
  bookingHorizonDays: number;
  cancellationWindowMinutes: number;
  rescheduleWindowMinutes: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export type BookingRefusal = 'slot_past' | 'too_late_to_book' | 'too_far_ahead';

export function bookingRefusal(
  startsAt: number,
  rules: Pick<BookingRules, 'minNoticeMinutes' | 'bookingHorizonDays'>,
  now: number,
): BookingRefusal | null {
  if (startsAt <= now) return 'slot_past';
  if (startsAt < now + rules.minNoticeMinutes * MINUTE) return 'too_late_to_book';
  if (startsAt > now + rules.bookingHorizonDays * DAY) return 'too_far_ahead';
  return null;
}

/** The last moment a student may cancel a session starting at `startsAt`. */
export const cancelDeadline = (startsAt: number, rules: Pick<BookingRules, 'cancellationWindowMinutes'>) =>
  startsAt - rules.cancellationWindowMinutes * MINUTE;

/** The last moment a student may move a session starting at `startsAt` to another time. */
export const rescheduleDeadline = (startsAt: number, rules: Pick<BookingRules, 'rescheduleWindowMinutes'>) =>
  startsAt - rules.rescheduleWindowMinutes * MINUTE;

export function describeDuration(minutes: number): string {
  if (minutes % (24 * 60) === 0) return `${minutes / (24 * 60)} day${minutes === 24 * 60 ? '' : 's'}`;
  if (minutes % 60 === 0) return `${minutes / 60} hour${minutes === 60 ? '' : 's'}`;
  return `${minutes} minutes`;
}
