/**
 * The teacher's bookings list: upcoming (scheduled, and those canceled that haven't happened), past (every
 * session whose time is over), and needs_outcome (over, unmarked, and not yet completed by the teacher's
 * auto-complete setting). Sessions moved to another time appear once, at their new time. Cursor paging on
 * (starts_at, id), so pages stay stable while bookings are added.
 */
import { and, asc, desc, eq, gt, inArray, lt, lte, ne, or } from 'drizzle-orm';
import { bookings, students, type Teacher } from '../../db/schema.ts';
import type { Db } from '../db.ts';
import { cancelDeadline } from '../../shared/booking-rules.ts';
import { shownStatus } from '../../shared/booking-status.ts';

export type BookingsFilter = 'upcoming' | 'past' | 'needs_outcome';
const DAY = 24 * 60 * 60 * 1000;

export const parseCursor = (cursor: string | undefined) =>
  cursor ? { startsAt: Number(cursor.split(':')[0]), id: cursor.slice(cursor.indexOf(':') + 1) } : null;

export async function teacherBookings(
  db: Db,
  teacher: Pick<Teacher, 'id' | 'autoCompleteAfterDays' | 'cancellationWindowMinutes'>,
  query: { filter: BookingsFilter; cursor?: string; limit: number },
  now: number,
) {
  const { filter, limit } = query;
  const ascending = filter === 'upcoming';
  const cursor = parseCursor(query.cursor);
  const autoDays = teacher.autoCompleteAfterDays;
  const which =
    filter === 'upcoming'
      ? and(inArray(bookings.status, ['scheduled', 'canceled']), gt(bookings.endsAt, now))
      : filter === 'past'
        ? and(ne(bookings.status, 'rescheduled'), lte(bookings.endsAt, now))
        : and(
            eq(bookings.status, 'scheduled'),
            lte(bookings.endsAt, now),
            autoDays === null ? undefined : gt(bookings.endsAt, now - autoDays * DAY),
          );
  const after = !cursor
    ? undefined
    : ascending
      ? or(
          gt(bookings.startsAt, cursor.startsAt),
          and(eq(bookings.startsAt, cursor.startsAt), gt(bookings.id, cursor.id)),
        )
      : or(
          lt(bookings.startsAt, cursor.startsAt),
          and(eq(bookings.startsAt, cursor.startsAt), lt(bookings.id, cursor.id)),
        );
  const rows = await db
    .select({
      booking: bookings,
      student: { id: students.id, name: students.name, color: students.color },
    })
    .from(bookings)
    .leftJoin(students, eq(students.id, bookings.studentId))
    .where(and(eq(bookings.teacherId, teacher.id), which, after))
    .orderBy(...(ascending ? [asc(bookings.startsAt), asc(bookings.id)] : [desc(bookings.startsAt), desc(bookings.id)]))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    bookings: page.map(({ booking: b, student }) => {
      const status = shownStatus(b, autoDays, now, 'teacher');
      return {
        id: b.id,
        slotId: b.slotId,
        student: student?.id ? { id: student.id, name: student.name, color: student.color } : null,
        startsAt: b.startsAt,
        endsAt: b.endsAt,
        subject: b.subject,
        status,
        outcome: b.outcome,
        outcomeRecordedAt: b.outcomeRecordedAt,
        canceledBy: b.canceledBy,
        cancelMessage: b.cancelMessage,
        source: b.source,
        /** Moved here from another time. */
        rescheduled: b.rescheduledFromBookingId !== null,
        canCancel: b.status === 'scheduled' && b.startsAt > now,
        canMove: b.status === 'scheduled' && b.startsAt > now,
        canRecordOutcome: ['scheduled', 'completed', 'no_show'].includes(b.status) && b.endsAt <= now,
        /** What the student sees as their own cancellation deadline. */
        studentCancelUntil: cancelDeadline(b.startsAt, teacher),
      };
    }),
    nextCursor: rows.length > limit && last ? `${last.booking.startsAt}:${last.booking.id}` : null,
  };
}
