/**
 * Booking through a share link: one batch. The triggers of migration 0002 make the database the judge: the
 * slot must still be open (else SLOT_TAKEN) and the link must have bookings left (else LINK_USED_UP); either
 * refusal rolls the whole batch back.
 */
import { and, eq, or, sql } from 'drizzle-orm';
import { auditLog, bookings, emailOutbox, linkEvents, shareLinks, slots, students, users } from '../../db/schema.ts';
import { FIRST_ACCESS_TTL_MS, newLoginToken, signInUrl } from '../auth/magic-link.ts';
import { enqueueOutbox, outboxValues } from '../email/outbox.ts';
import { config } from '../env.ts';
import { auditValues } from '../audit.ts';
import { newId } from '../crypto/random.ts';
import { isConstraintError, type Db } from '../db.ts';
import type { Env } from '../env.ts';
import { DomainError, notFound } from '../errors.ts';
import { bumpVersion } from '../calendar/slot-service.ts';
import { teacherSlotView } from '../calendar/slot-views.ts';
import { publishCalendarEvent } from '../live/publish.ts';
import type { ResolvedLink } from '../share-links/resolve.ts';
import { bookingRefusal, cancelDeadline, describeDuration } from './rules.ts';

const REFUSALS = {
  slot_past: 'This time has already passed.',
  too_late_to_book: (minutes: number) => `Bookings close ${describeDuration(minutes)} before a session starts. Pick a later time.`,
  too_far_ahead: (days: number) => `You can book up to ${days} days ahead. Pick an earlier time.`,
};

const slotTaken = () => new DomainError('slot_taken', 409, 'Someone just booked this time. Please pick another slot.');

interface Actor {
  ip: string;
  userAgent?: string;
  /** The student's browser time zone, for the confirmation email; the teacher's when unknown. */
  timeZone?: string;
}

export async function bookThroughLink(env: Env, db: Db, resolved: ResolvedLink, slotId: string, now: number, actor: Actor) {
  const { link, student, teacher } = resolved;
  const [slot] = await db.select().from(slots).where(and(eq(slots.id, slotId), eq(slots.teacherId, teacher.id)));
  if (!slot || slot.status === 'canceled') throw notFound('This slot is no longer available.');
  if (slot.status === 'booked') throw slotTaken();
  const refusal = bookingRefusal(slot.startsAt, teacher, now);
  if (refusal === 'slot_past') throw new DomainError(refusal, 409, REFUSALS.slot_past);
  if (refusal === 'too_late_to_book') throw new DomainError(refusal, 409, REFUSALS.too_late_to_book(teacher.minNoticeMinutes));
  if (refusal === 'too_far_ahead') throw new DomainError(refusal, 409, REFUSALS.too_far_ahead(teacher.bookingHorizonDays));

  const booking = {
    id: newId(),
    slotId: slot.id,
    teacherId: teacher.id,
    studentId: student.id,
    studentUserId: student.userId,
    shareLinkId: link.id,
    status: 'scheduled' as const,
    startsAt: slot.startsAt,
    endsAt: slot.endsAt,
    subject: slot.subject,
    scheduledAt: now,
    source: 'share_link' as const,
  };
  // The student's account: found by email, or created in the booking batch itself (the unique email makes
  // two simultaneous first bookings end with one account). First access is by a single-use link, never a
  // password (DESIGN.md).
  const people = await db.select({ id: users.id, email: users.email }).from(users).where(or(eq(users.email, student.email), eq(users.id, teacher.id)));
  const newAccount = !people.some((u) => u.email === student.email);
  const teacherEmail = people.find((u) => u.id === teacher.id)?.email;
  const studentUserId = sql`(SELECT ${users.id} FROM ${users} WHERE ${users.email} = ${student.email})`;
  const { APP_URL } = config(env);
  const origin = new URL(APP_URL).origin;
  const access = newLoginToken(db, { email: student.email, userId: studentUserId, purpose: newAccount ? 'first_access' : 'login', ttlMs: FIRST_ACCESS_TTL_MS }, now);
  const confirmation = await outboxValues(env, {
    recipient: student.email,
    template: 'booking-confirmation',
    payload: {
      bookingId: booking.id, studentName: student.name, teacherName: teacher.displayName, subject: slot.subject, startsAt: slot.startsAt, endsAt: slot.endsAt,
      studentTimeZone: actor.timeZone ?? teacher.timeZone, teacherTimeZone: teacher.timeZone, dashboardUrl: `${origin}/student`, signInUrl: signInUrl(APP_URL, access.token),
      newAccount, signInValidHours: FIRST_ACCESS_TTL_MS / 3_600_000, createdAt: now,
    },
    teacherId: teacher.id,
    studentId: student.id,
  }, now);
  const notice = teacher.notifyOnBooking && teacherEmail
    ? await outboxValues(env, { recipient: teacherEmail, template: 'booking-notice', payload: { teacherName: teacher.displayName, studentName: student.name, subject: slot.subject, startsAt: slot.startsAt, endsAt: slot.endsAt, timeZone: teacher.timeZone, calendarUrl: `${origin}/teacher` }, teacherId: teacher.id, studentId: student.id }, now)
    : null;
  const audit = await auditValues(env, { actorType: 'share_link', actorId: link.id, action: 'booking.created', targetType: 'booking', targetId: booking.id, ip: actor.ip, userAgent: actor.userAgent, details: { slotId: slot.id, studentId: student.id, newAccount } }, now);
  let version: number;
  try {
    const [, , , , , bumped] = await db.batch([
      db.insert(users).values({ id: newId(), email: student.email, name: student.name, role: 'student', createdFromBookingId: booking.id, createdAt: now, updatedAt: now }).onConflictDoNothing(),
      db.insert(bookings).values({ ...booking, studentUserId }),
      db.update(students).set({ userId: studentUserId, updatedAt: now }).where(eq(students.id, student.id)),
      access.insert,
      db.update(shareLinks).set({ useCount: sql`${shareLinks.useCount} + 1` }).where(eq(shareLinks.id, link.id)),
      bumpVersion(db, teacher.id),
      db.insert(emailOutbox).values(notice ? [confirmation, notice] : [confirmation]),
      db.insert(auditLog).values(audit),
      db.insert(linkEvents).values({ id: newId(), shareLinkId: link.id, teacherId: teacher.id, kind: 'booking', at: now }),
    ]);
    version = bumped[0]!.version;
  } catch (error) {
    if (isConstraintError(error, 'SLOT_TAKEN') || isConstraintError(error, 'UNIQUE constraint failed: bookings.slot_id')) throw slotTaken();
    if (isConstraintError(error, 'LINK_USED_UP')) throw new DomainError('link_used_up', 410, 'This booking link has been used for all the bookings it allows. Ask your teacher for a new one.');
    throw error;
  }
  // After commit; if this fails the cron sweep sends them.
  await enqueueOutbox(env, notice ? [confirmation.id, notice.id] : [confirmation.id]);
  const booked = { ...slot, status: 'booked' as const };
  await publishCalendarEvent(env, teacher.id, {
    version,
    kind: 'slots.upserted',
    slots: [teacherSlotView(booked, { id: booking.id, studentId: student.id, studentName: student.name, studentColor: student.color })],
    at: now,
  });
  return { booking: studentBookingView(booking, teacher, now), version };
}

export async function cancelThroughLink(env: Env, db: Db, resolved: ResolvedLink, bookingId: string, now: number, actor: Actor) {
  const { link, student, teacher } = resolved;
  // Scoped to this student and teacher: another student's booking id is simply not found.
  const [booking] = await db.select().from(bookings).where(and(eq(bookings.id, bookingId), eq(bookings.studentId, student.id), eq(bookings.teacherId, teacher.id)));
  if (!booking) throw notFound('No such booking.');
  if (booking.status !== 'scheduled') throw new DomainError('booking_not_active', 409, 'This booking is already canceled or over.');
  if (booking.startsAt <= now) throw new DomainError('booking_started', 409, 'This session has already started.');
  if (now > cancelDeadline(booking.startsAt, teacher)) {
    throw new DomainError('cancellation_window_passed', 409, `Sessions can be canceled up to ${describeDuration(teacher.cancellationWindowMinutes)} before they start. Please contact ${teacher.displayName} directly.`);
  }
  const audit = await auditValues(env, { actorType: 'share_link', actorId: link.id, action: 'booking.canceled', targetType: 'booking', targetId: booking.id, ip: actor.ip, userAgent: actor.userAgent }, now);
  const [canceled, , bumped, slotRows] = await db.batch([
    db.update(bookings).set({ status: 'canceled', canceledAt: now, canceledBy: 'student' }).where(and(eq(bookings.id, booking.id), eq(bookings.status, 'scheduled'))).returning({ id: bookings.id }),
    // The canceled booking gives its use back, so the student can pick another time.
    db.update(shareLinks).set({ useCount: sql`max(${shareLinks.useCount} - 1, 0)` }).where(eq(shareLinks.id, booking.shareLinkId ?? '')),
    bumpVersion(db, teacher.id),
    db.select().from(slots).where(eq(slots.id, booking.slotId)),
    db.insert(auditLog).values(audit),
    db.insert(linkEvents).values({ id: newId(), shareLinkId: link.id, teacherId: teacher.id, kind: 'cancellation', at: now }),
  ]);
  if (canceled.length === 0) throw new DomainError('booking_not_active', 409, 'This booking is already canceled.');
  const version = bumped[0]!.version;
  if (slotRows[0]) await publishCalendarEvent(env, teacher.id, { version, kind: 'slots.upserted', slots: [teacherSlotView(slotRows[0])], at: now });
  return { canceled: booking.id, version };
}

export function studentBookingView(b: Pick<typeof bookings.$inferSelect, 'id' | 'slotId' | 'startsAt' | 'endsAt' | 'subject' | 'status'>, teacher: ResolvedLink['teacher'], now: number) {
  const deadline = cancelDeadline(b.startsAt, teacher);
  return { id: b.id, slotId: b.slotId, startsAt: b.startsAt, endsAt: b.endsAt, subject: b.subject, status: b.status, cancelUntil: deadline, canCancel: b.status === 'scheduled' && now <= deadline && b.startsAt > now };
}
