/**
 * What a booking's status means to the person looking at it. A session that has ended and that nobody marked
 * is "awaiting outcome" for the teacher and simply "past" for the student: it never reads as completed unless
 * the teacher said so, or the teacher chose to complete unmarked sessions after some days (worked out here, at
 * read time, so the setting applies at once to every past session, both ways).
 */

const DAY = 24 * 60 * 60 * 1000;

export type StoredStatus = 'scheduled' | 'completed' | 'canceled' | 'no_show' | 'rescheduled';
export type ShownStatus = StoredStatus | 'awaiting_outcome' | 'past';

export interface StatusInput {
  status: StoredStatus;
  endsAt: number;
}

/** The moment an unmarked session counts as completed, or null when the teacher keeps them open. */
export const autoCompleteAt = (endsAt: number, autoCompleteAfterDays: number | null) =>
  autoCompleteAfterDays === null ? null : endsAt + autoCompleteAfterDays * DAY;

export function shownStatus(
  booking: StatusInput,
  autoCompleteAfterDays: number | null,
  now: number,
  audience: 'teacher' | 'student',
): ShownStatus {
  if (booking.status !== 'scheduled' || booking.endsAt > now) return booking.status;
  const autoAt = autoCompleteAt(booking.endsAt, autoCompleteAfterDays);
  if (autoAt !== null && now >= autoAt) return 'completed';
  return audience === 'teacher' ? 'awaiting_outcome' : 'past';
}
