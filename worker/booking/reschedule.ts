/**
 * Moving a booked session to another open slot of the same teacher: by the student (share link or dashboard)
 * within the teacher's reschedule window and booking rules, or by the teacher at any time before it starts.
 *
 * One batch, in this order: the old booking ends as `rescheduled`, pointing at the new one (its slot reopens:
 * trigger); the new booking is inserted, which the triggers of migrations 0002 and 0004 accept only if the new
 * slot is still open and the old booking was rescheduled to it in this very batch. So two students moving into
 * the same free slot at once end with one winner, and the loser's batch rolls back whole: their original booking
 * untouched, no email, no audit entry.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { bookings, emailOutbox, slots, type Booking, type Teacher } from '../../db/schema.ts';
import { sessionUid } from '../../emails/ics.ts';
import { auditStatement, type AuditEntry } from '../audit.ts';
import { bumpVersion } from '../calendar/version.ts';
import { teacherSlotView } from '../calendar/slot-views.ts';
import { newId } from '../crypto/random.ts';
import { isConstraintError, type Db } from '../db.ts';
import { enqueueOutbox } from '../email/outbox.ts';
import type { Env } from '../env.ts';
import { DomainError, notFound } from '../errors.ts';
import { publishCalendarEvent } from '../live/publish.ts';
import { bookingRefusal, describeDuration, rescheduleDeadline } from '../../shared/booking-rules.ts';
import { tooLateMessage } from './cancel.ts';
import { moveNotices } from './notices.ts';
import { loadParties } from './parties.ts';

export type MovingTeacher = Pick<
  Teacher,
  | 'id'
  | 'displayName'
  | 'timeZone'
  | 'notifyOnChanges'
  | 'rescheduleWindowMinutes'
  | 'minNoticeMinutes'
  | 'bookingHorizonDays'
>;

interface Move {
  /** The booking, already scoped by the caller to the student or teacher asking. */
  booking: Booking;
  teacher: MovingTeacher;
  slotId: string;
  now: number;
  /** The student is held to the reschedule window and the booking rules; the teacher is not. */
  as: 'student' | 'teacher';
  by: Pick<AuditEntry, 'actorType' | 'actorId' | 'ip' | 'userAgent'>;
}

const slotTaken = () =>
  new DomainError('slot_taken', 409, 'Someone just booked this time. Your session stays where it was; pick another.');

export async function moveBooking(env: Env, db: Db, { booking, teacher, slotId, now, as, by }: Move) {
  if (booking.status !== 'scheduled')
    throw new DomainError('booking_not_active', 409, 'This booking is already canceled, moved or over.');
  if (booking.startsAt <= now) throw new DomainError('booking_started', 409, 'This session has already started.');
  if (as === 'student' && now > rescheduleDeadline(booking.startsAt, teacher))
    throw new DomainError(
      'reschedule_window_passed',
      409,
      tooLateMessage('moved', teacher.rescheduleWindowMinutes, teacher.displayName),
    );
  const [slot] = await db
    .select()
    .from(slots)
    .where(and(eq(slots.id, slotId), eq(slots.teacherId, teacher.id)));
  if (!slot || slot.status === 'canceled') throw notFound('This time is no longer available. Pick another.');
  if (slot.id === booking.slotId) throw new DomainError('same_slot', 400, 'The session is already at this time.');
  if (slot.status === 'booked') throw slotTaken();
  if (slot.startsAt <= now) throw new DomainError('slot_past', 409, 'This time has already passed.');
  if (as === 'student') {
    const refusal = bookingRefusal(slot.startsAt, teacher, now);
    if (refusal === 'too_late_to_book')
      throw new DomainError(
        refusal,
        409,
        `Sessions must be booked ${describeDuration(teacher.minNoticeMinutes)} ahead. Pick a later time.`,
      );
    if (refusal === 'too_far_ahead')
      throw new DomainError(
        refusal,
        409,
        `You can book up to ${teacher.bookingHorizonDays} days ahead. Pick an earlier time.`,
      );
  }

  const moved = {
    ...booking,
    id: newId(),
    slotId: slot.id,
    status: 'scheduled' as const,
    startsAt: slot.startsAt,
    endsAt: slot.endsAt,
    subject: slot.subject,
    scheduledAt: now,
    // The external system's id stays with the booking it confirmed.
    externalId: null,
    rescheduledFromBookingId: booking.id,
    rescheduledToBookingId: null,
    icsUid: sessionUid(booking),
    icsSequence: booking.icsSequence + 1,
    changeId: null,
  };
  const parties = await loadParties(env, db, booking, teacher, now);
  const emails = await moveNotices(env, { moved, previous: booking, teacher, parties, movedBy: as, now });
  const audit = auditStatement(
    db,
    env,
    {
      ...by,
      action: as === 'student' ? 'booking.rescheduled' : 'booking.moved',
      targetType: 'booking',
      targetId: booking.id,
      teacherId: booking.teacherId,
      studentId: booking.studentId,
      details: { to: moved.id, fromSlotId: booking.slotId, toSlotId: slot.id },
      changes: {
        startsAt: { from: booking.startsAt, to: slot.startsAt },
        endsAt: { from: booking.endsAt, to: slot.endsAt },
      },
    },
    now,
  );
  let batch;
  try {
    batch = await db.batch([
      db
        .update(bookings)
        .set({ status: 'rescheduled', rescheduledToBookingId: moved.id })
        .where(and(eq(bookings.id, booking.id), eq(bookings.status, 'scheduled'))),
      db.insert(bookings).values(moved),
      bumpVersion(db, teacher.id),
      db
        .select()
        .from(slots)
        .where(inArray(slots.id, [booking.slotId, slot.id])),
      audit,
      ...(emails.length > 0 ? [db.insert(emailOutbox).values(emails)] : []),
    ]);
  } catch (error) {
    if (
      isConstraintError(error, 'SLOT_TAKEN') ||
      isConstraintError(error, 'UNIQUE constraint failed: bookings.slot_id')
    )
      throw slotTaken();
    if (isConstraintError(error, 'BOOKING_NOT_ACTIVE'))
      throw new DomainError('booking_not_active', 409, 'This booking is already canceled, moved or over.');
    throw error;
  }
  const [, , bumped, slotRows] = batch;
  const version = bumped[0]!.version;
  await enqueueOutbox(
    env,
    emails.map((e) => e.id),
    now,
  );
  const who = parties.student && {
    id: moved.id,
    studentId: parties.student.id,
    studentName: parties.student.name,
    studentColor: parties.student.color,
  };
  await publishCalendarEvent(env, teacher.id, {
    version,
    kind: 'slots.upserted',
    slots: slotRows.map((s) => teacherSlotView(s, s.id === slot.id ? who : null)),
    at: now,
  });
  return {
    booking: { id: moved.id, slotId: slot.id, startsAt: slot.startsAt, endsAt: slot.endsAt },
    previous: booking.id,
    version,
  };
}
