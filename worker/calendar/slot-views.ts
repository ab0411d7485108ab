import { and, eq, gt, gte, inArray, lt, ne } from 'drizzle-orm';
import { bookings, slots, students } from '../../db/schema.ts';
import type { Db } from '../db.ts';
import { statementTemplate } from '../db-template.ts';
import { userIdOf, type UserKey } from '../auth/session.ts';
import type { SlotView } from '../../shared/live-protocol.ts';

/** Longest slot the API accepts; lets range reads use the (teacher_id, starts_at) index. */
export const MAX_SLOT_MINUTES = 12 * 60;

/**
 * The bounds of a read of the slots overlapping [from, to): they start in [startsFrom, to), since a slot that
 * overlaps `from` began at most the longest slot before it.
 */
export const overlappingRange = (from: number, to: number) => ({
  startsFrom: from - MAX_SLOT_MINUTES * 60_000,
  from,
  to,
});

/** The bounds `overlappingRange` gives, as a read's values. */
type RangeValues = ReturnType<typeof overlappingRange>;

/** What a slot's view shows: a calendar read selects these columns and no others (DESIGN.md, "Cost per request"). */
type SlotRow = Pick<typeof slots.$inferSelect, 'id' | 'startsAt' | 'endsAt' | 'subject' | 'status' | 'seriesId'>;
const slotViewColumns = {
  id: slots.id,
  startsAt: slots.startsAt,
  endsAt: slots.endsAt,
  subject: slots.subject,
  status: slots.status,
  seriesId: slots.seriesId,
};
type BookingInfo = {
  id: string;
  studentId: string | null;
  studentName: string | null;
  studentColor: string | null;
} | null;

export function teacherSlotView(slot: SlotRow, booking: BookingInfo = null): SlotView {
  return {
    id: slot.id,
    startsAt: slot.startsAt,
    endsAt: slot.endsAt,
    subject: slot.subject,
    status: slot.status,
    seriesId: slot.seriesId,
    booking: booking
      ? {
          id: booking.id,
          studentId: booking.studentId,
          studentName: booking.studentName ?? 'Student',
          studentColor: booking.studentColor ?? '#64748b',
        }
      : null,
  };
}

/** The slots of the teacher `teacherId` names that overlap [from, to), with who booked them. */
function teacherSlots(db: Db, teacherId: ReturnType<typeof userIdOf>, p: RangeValues) {
  return (
    db
      .select({
        slot: slotViewColumns,
        booking: {
          id: bookings.id,
          studentId: bookings.studentId,
          studentName: students.name,
          studentColor: students.color,
        },
      })
      .from(slots)
      // A held session keeps its student after the teacher records the outcome.
      .leftJoin(
        bookings,
        and(eq(bookings.slotId, slots.id), inArray(bookings.status, ['scheduled', 'completed', 'no_show'])),
      )
      .leftJoin(students, eq(students.id, bookings.studentId))
      .where(
        and(
          eq(slots.teacherId, teacherId),
          gte(slots.startsAt, p.startsFrom),
          lt(slots.startsAt, p.to),
          gt(slots.endsAt, p.from),
          ne(slots.status, 'canceled'),
        ),
      )
      .orderBy(slots.startsAt)
  );
}

// Built once each (worker/db-template.ts): the teacher found by id, or by the session the same batch validates.
const slotsOfTeacher = statementTemplate((db, p: RangeValues & { userId: string }) =>
  teacherSlots(db, userIdOf(db, { userId: p.userId }), p),
);
const slotsOfSessionsTeacher = statementTemplate((db, p: RangeValues & { sessionId: string }) =>
  teacherSlots(db, userIdOf(db, { sessionId: p.sessionId }), p),
);

/**
 * The teacher's slots that overlap [from, to), with who booked them. The teacher is the user `teacher` names: a
 * read that finds the teacher by the session in the same batch passes the session (auth/guard.ts).
 */
export function teacherSlotsQuery(db: Db, teacher: UserKey, from: number, to: number) {
  const range = overlappingRange(from, to);
  return 'userId' in teacher
    ? slotsOfTeacher(db, { ...range, userId: teacher.userId })
    : slotsOfSessionsTeacher(db, { ...range, sessionId: teacher.sessionId });
}

/** The slots read with `teacherSlotsQuery`, as the teacher's calendar shows them. */
export function teacherSlotViews(rows: Awaited<ReturnType<typeof teacherSlotsQuery>>): SlotView[] {
  return rows.map((r) => teacherSlotView(r.slot, r.booking?.id ? { ...r.booking, id: r.booking.id } : null));
}
