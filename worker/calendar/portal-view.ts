/**
 * The calendar a student sees through a share link: the teacher's slots, privacy-filtered. Other students'
 * bookings appear only as "booked"; the student's own are `mine`. Read with the version in one transaction.
 */
import { and, eq, gt, gte, lt, ne } from 'drizzle-orm';
import { bookings, slots, type Teacher } from '../../db/schema.ts';
import { bookingRefusal } from '../../shared/booking-rules.ts';
import type { Db } from '../db.ts';
import type { SlotView } from '../../shared/live-protocol.ts';
import { MAX_SLOT_MINUTES } from './slot-views.ts';
import { versionQuery } from './version.ts';

export async function portalSnapshot(
  db: Db,
  teacher: Teacher,
  studentId: string,
  range: { from: number; to: number },
  now: number,
): Promise<{ version: number; slots: SlotView[] }> {
  const { from, to } = range;
  const [versionRows, rows] = await db.batch([
    versionQuery(db, teacher.id),
    db
      .select({ slot: slots, bookedBy: bookings.studentId })
      .from(slots)
      .leftJoin(bookings, and(eq(bookings.slotId, slots.id), eq(bookings.status, 'scheduled')))
      .where(
        and(
          eq(slots.teacherId, teacher.id),
          gte(slots.startsAt, from - MAX_SLOT_MINUTES * 60_000),
          lt(slots.startsAt, to),
          gt(slots.endsAt, from),
          ne(slots.status, 'canceled'),
        ),
      )
      .orderBy(slots.startsAt),
  ]);
  return {
    version: versionRows[0]?.version ?? 0,
    slots: rows.map(({ slot, bookedBy }) => ({
      id: slot.id,
      startsAt: slot.startsAt,
      endsAt: slot.endsAt,
      subject: slot.subject,
      status: slot.status,
      seriesId: null,
      mine: bookedBy === studentId,
      bookable: slot.status === 'open' && bookingRefusal(slot.startsAt, teacher, now) === null,
    })),
  };
}
