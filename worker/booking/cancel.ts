/**
 * A student cancels a session, from their share link or their dashboard: within the teacher's cancellation
 * window, in one batch (the trigger of migration 0002 reopens the slot), then the slot is published as open.
 */
import { and, eq, sql } from 'drizzle-orm';
import { auditLog, bookings, linkEvents, shareLinks, slots, type Booking, type Teacher } from '../../db/schema.ts';
import { auditValues, type AuditEntry } from '../audit.ts';
import { bumpVersion } from '../calendar/version.ts';
import { teacherSlotView } from '../calendar/slot-views.ts';
import { newId } from '../crypto/random.ts';
import type { Db } from '../db.ts';
import type { Env } from '../env.ts';
import { DomainError } from '../errors.ts';
import { publishCalendarEvent } from '../live/publish.ts';
import { cancelDeadline, describeDuration } from '../../shared/booking-rules.ts';

interface Cancellation {
  /** The student's own booking: the caller has already scoped the lookup to them. */
  booking: Booking;
  teacher: Pick<Teacher, 'id' | 'displayName' | 'cancellationWindowMinutes'>;
  now: number;
  by: Pick<AuditEntry, 'actorType' | 'actorId' | 'ip' | 'userAgent'>;
  /** The share link the cancellation came through, for the teacher's link analytics. */
  viaLinkId?: string;
}

export async function cancelBooking(env: Env, db: Db, { booking, teacher, now, by, viaLinkId }: Cancellation) {
  if (booking.status !== 'scheduled')
    throw new DomainError('booking_not_active', 409, 'This booking is already canceled or over.');
  if (booking.startsAt <= now) throw new DomainError('booking_started', 409, 'This session has already started.');
  if (now > cancelDeadline(booking.startsAt, teacher)) {
    throw new DomainError(
      'cancellation_window_passed',
      409,
      `Sessions can be canceled up to ${describeDuration(teacher.cancellationWindowMinutes)} before they start. Please contact ${teacher.displayName} directly.`,
    );
  }
  const audit = await auditValues(
    env,
    { ...by, action: 'booking.canceled', targetType: 'booking', targetId: booking.id },
    now,
  );
  const [canceled, , bumped, slotRows] = await db.batch([
    db
      .update(bookings)
      .set({ status: 'canceled', canceledAt: now, canceledBy: 'student' })
      .where(and(eq(bookings.id, booking.id), eq(bookings.status, 'scheduled')))
      .returning({ id: bookings.id }),
    // The canceled booking gives its use back to the link it was made with, so the student can pick another time.
    db
      .update(shareLinks)
      .set({ useCount: sql`max(${shareLinks.useCount} - 1, 0)` })
      .where(eq(shareLinks.id, booking.shareLinkId ?? '')),
    bumpVersion(db, teacher.id),
    db.select().from(slots).where(eq(slots.id, booking.slotId)),
    db.insert(auditLog).values(audit),
    ...(viaLinkId
      ? [
          db
            .insert(linkEvents)
            .values({ id: newId(), shareLinkId: viaLinkId, teacherId: teacher.id, kind: 'cancellation', at: now }),
        ]
      : []),
  ]);
  if (canceled.length === 0) throw new DomainError('booking_not_active', 409, 'This booking is already canceled.');
  const version = bumped[0]!.version;
  if (slotRows[0])
    await publishCalendarEvent(env, teacher.id, {
      version,
      kind: 'slots.upserted',
      slots: [teacherSlotView(slotRows[0])],
      at: now,
    });
  return { canceled: booking.id, version };
}
