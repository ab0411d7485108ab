/**
 * Cancelling a booked session: by the student (share link or dashboard) within the teacher's cancellation
 * window, or by the teacher at any time before it starts, with a message and the choice to keep the time open
 * for others or remove it. One batch: the booking, the slot (the trigger of migration 0002 reopens it), the
 * link's use given back, the notices to both sides, the audit entry and the calendar version; then the slot is
 * published live.
 */
import { and, eq, sql } from 'drizzle-orm';
import {
  bookingChangeChecks,
  bookings,
  emailOutbox,
  linkEvents,
  shareLinks,
  slots,
  type Booking,
  type Teacher,
} from '../../db/schema.ts';
import { auditStatement, type AuditEntry } from '../audit.ts';
import { bumpVersion } from '../calendar/version.ts';
import { teacherSlotView } from '../calendar/slot-views.ts';
import { newId } from '../crypto/random.ts';
import { isConstraintError, type Db } from '../db.ts';
import { insertRow, statementTemplate } from '../db-template.ts';
import { enqueueOutbox } from '../email/outbox.ts';
import type { Env } from '../env.ts';
import { DomainError } from '../errors.ts';
import { publishCalendarEvent } from '../live/publish.ts';
import { cancelDeadline, describeDuration } from '../../shared/booking-rules.ts';
import { cancellationNotices } from './notices.ts';
import { loadParties, type Parties } from './parties.ts';

export type CancelingTeacher = Pick<
  Teacher,
  'id' | 'displayName' | 'timeZone' | 'cancellationWindowMinutes' | 'notifyOnChanges'
>;

interface Cancellation {
  /** The booking, already scoped by the caller to the student or teacher asking. */
  booking: Booking;
  teacher: CancelingTeacher;
  now: number;
  by: Pick<AuditEntry, 'actorType' | 'actorId' | 'ip' | 'userAgent'>;
  /** The share link the cancellation came through, for the teacher's link analytics. */
  viaLinkId?: string;
  /** The booking's parties when the caller read them with the booking (one round trip fewer). */
  parties?: Parties;
  /** Set when the teacher cancels: their words to the student, and whether others may book the time. */
  teacherChoice?: { message: string | null; reopen: boolean };
}

const cancelScheduled = statementTemplate(
  (
    db,
    p: {
      bookingId: string;
      now: number;
      canceledBy: 'teacher' | 'student';
      message: string | null;
      icsSequence: number;
      changeId: string;
    },
  ) =>
    db
      .update(bookings)
      .set({
        status: 'canceled',
        canceledAt: p.now,
        canceledBy: p.canceledBy,
        cancelMessage: p.message,
        icsSequence: p.icsSequence,
        changeId: p.changeId,
      })
      .where(and(eq(bookings.id, p.bookingId), eq(bookings.status, 'scheduled'))),
);

/** The canceled booking gives its use back to the link it was made with, so the student can pick another time. */
const giveUseBack = statementTemplate((db, p: { linkId: string }) =>
  db
    .update(shareLinks)
    .set({ useCount: sql`max(${shareLinks.useCount} - 1, 0)` })
    .where(eq(shareLinks.id, p.linkId)),
);

const slotById = statementTemplate((db, p: { slotId: string }) =>
  db.select({ id: slots.id }).from(slots).where(eq(slots.id, p.slotId)),
);
const removeSlot = statementTemplate((db, p: { slotId: string; now: number }) =>
  db
    .update(slots)
    .set({ status: 'canceled', updatedAt: p.now })
    .where(eq(slots.id, p.slotId))
    .returning({ id: slots.id }),
);
const slotRow = statementTemplate((db, p: { slotId: string }) => db.select().from(slots).where(eq(slots.id, p.slotId)));

/** The words a student sees when their window has closed: who to contact, and how. */
export const tooLateMessage = (what: 'canceled' | 'moved', minutes: number, teacherName: string) =>
  `Sessions can be ${what} here up to ${describeDuration(minutes)} before they start. Please contact ${teacherName} directly.`;

export async function cancelBooking(env: Env, db: Db, input: Cancellation) {
  const { booking, teacher, now, by, viaLinkId, teacherChoice } = input;
  const byTeacher = teacherChoice !== undefined;
  if (booking.status !== 'scheduled')
    throw new DomainError('booking_not_active', 409, 'This booking is already canceled, moved or over.');
  if (booking.startsAt <= now) throw new DomainError('booking_started', 409, 'This session has already started.');
  if (!byTeacher && now > cancelDeadline(booking.startsAt, teacher))
    throw new DomainError(
      'cancellation_window_passed',
      409,
      tooLateMessage('canceled', teacher.cancellationWindowMinutes, teacher.displayName),
    );
  const reopen = teacherChoice?.reopen ?? true;
  const message = teacherChoice?.message ?? null;
  const icsSequence = booking.icsSequence + 1;
  const parties = input.parties ?? (await loadParties(env, db, booking, teacher, now));
  const emails = await cancellationNotices(env, {
    booking: { ...booking, icsSequence },
    teacher,
    parties,
    canceledBy: byTeacher ? 'teacher' : 'student',
    message,
    now,
  });
  const audit = auditStatement(
    db,
    env,
    {
      ...by,
      action: 'booking.canceled',
      targetType: 'booking',
      targetId: booking.id,
      teacherId: booking.teacherId,
      studentId: booking.studentId,
      details: {
        by: byTeacher ? 'teacher' : 'student',
        startsAt: booking.startsAt,
        ...(byTeacher ? { reopen, withMessage: message !== null } : {}),
      },
      changes: { status: { from: booking.status, to: 'canceled' } },
    },
    now,
  );
  const changeId = newId();
  let batch;
  try {
    batch = await db.batch([
      cancelScheduled(db, {
        bookingId: booking.id,
        now,
        canceledBy: byTeacher ? 'teacher' : 'student',
        message,
        icsSequence,
        changeId,
      }),
      // Rolls everything back (no email, no audit entry) unless the update above matched: a second cancel loses.
      insertRow(db, bookingChangeChecks, { bookingId: booking.id, changeId }),
      giveUseBack(db, { linkId: booking.shareLinkId ?? '' }),
      // The trigger has just reopened the slot; a teacher who doesn't want the time booked again removes it.
      reopen ? slotById(db, { slotId: '' }) : removeSlot(db, { slotId: booking.slotId, now }),
      bumpVersion(db, teacher.id),
      slotRow(db, { slotId: booking.slotId }),
      audit,
      ...emails.map((email) => insertRow(db, emailOutbox, email)),
      ...(viaLinkId
        ? [
            insertRow(db, linkEvents, {
              id: newId(),
              shareLinkId: viaLinkId,
              teacherId: teacher.id,
              kind: 'cancellation',
              at: now,
            }),
          ]
        : []),
    ]);
  } catch (error) {
    if (isConstraintError(error, 'BOOKING_NOT_ACTIVE'))
      throw new DomainError('booking_not_active', 409, 'This booking is already canceled, moved or over.');
    throw error;
  }
  const [, , , , bumped, slotRows] = batch;
  const version = bumped[0]!.version;
  await enqueueOutbox(
    env,
    emails.map((e) => e.id),
    now,
  );
  const slot = slotRows[0];
  if (slot)
    await publishCalendarEvent(env, teacher.id, {
      version,
      kind: slot.status === 'canceled' ? 'slots.removed' : 'slots.upserted',
      slots: [teacherSlotView(slot)],
      at: now,
    });
  return { canceled: booking.id, version, slotReopened: slot?.status === 'open' };
}
