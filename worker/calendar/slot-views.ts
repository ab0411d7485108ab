import { and, eq, gt, gte, inArray, lt, ne, type SQL } from 'drizzle-orm';
import { bookings, slots, students } from '../../db/schema.ts';
import type { Db } from '../db.ts';
import type { SlotView } from '../../shared/live-protocol.ts';

/** Longest slot the API accepts; lets range reads use the (teacher_id, starts_at) index. */
export const MAX_SLOT_MINUTES = 12 * 60;

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

/** The teacher's slots that overlap [from, to), with who booked them. */
/** The teacher's id may be SQL: a read that finds the teacher by the session in the same batch (auth/guard.ts). */
export function teacherSlotsQuery(db: Db, teacherId: string | SQL, from: number, to: number) {
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
          gte(slots.startsAt, from - MAX_SLOT_MINUTES * 60_000),
          lt(slots.startsAt, to),
          gt(slots.endsAt, from),
          ne(slots.status, 'canceled'),
        ),
      )
      .orderBy(slots.startsAt)
  );
}

/** The slots read with `teacherSlotsQuery`, as the teacher's calendar shows them. */
export function teacherSlotViews(rows: Awaited<ReturnType<typeof teacherSlotsQuery>>): SlotView[] {
  return rows.map((r) => teacherSlotView(r.slot, r.booking?.id ? { ...r.booking, id: r.booking.id } : null));
}
