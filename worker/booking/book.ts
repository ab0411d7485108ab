/**
 * Booking through a share link: one batch. The triggers of migration 0002 make the database the judge: the
 * slot must still be open (else SLOT_TAKEN) and the link must have bookings left (else LINK_USED_UP); either
 * refusal rolls the whole batch back.
 */
import { and, eq, sql } from 'drizzle-orm';
import { bookings, linkEvents, shareLinks, slots, users } from '../../db/schema.ts';
import { enqueueOutbox } from '../email/outbox.ts';
import { auditStatement } from '../audit.ts';
import { newId } from '../crypto/random.ts';
import { isConstraintError, type Db } from '../db.ts';
import { insertRow, statementTemplate, statementTemplates } from '../db-template.ts';
import type { Env } from '../env.ts';
import { DomainError, notFound } from '../errors.ts';
import { bumpVersion } from '../calendar/version.ts';
import { teacherSlotView } from '../calendar/slot-views.ts';
import { publishCalendarEvent } from '../live/publish.ts';
import {
  judgeLink,
  linkWithTokenHash,
  ofLinkWithTokenHash,
  type LinkSeen,
  type ResolvedLink,
} from '../share-links/resolve.ts';
import type { LinkState } from '../share-links/state.ts';
import { isShareTokenShape, shareTokenHash } from '../share-links/tokens.ts';
import { cancelBooking } from './cancel.ts';
import { partiesFrom, partiesReads, type PartiesRows } from './parties.ts';
import { moveBooking } from './reschedule.ts';
import { provisionStudentAccount } from './provision.ts';
import { grantOnPortalBooking } from '../students/sharing.ts';
import { bookingRefusal, cancelDeadline, describeDuration, rescheduleDeadline } from '../../shared/booking-rules.ts';
import { shownStatus } from '../../shared/booking-status.ts';

const REFUSALS = {
  slot_past: 'This time has already passed.',
  too_late_to_book: (minutes: number) =>
    `Bookings close ${describeDuration(minutes)} before a session starts. Pick a later time.`,
  too_far_ahead: (days: number) => `You can book up to ${days} days ahead. Pick an earlier time.`,
};

const slotTaken = () => new DomainError('slot_taken', 409, 'Someone just booked this time. Please pick another slot.');

const teacherOfLink = (db: Db, tokenHash: string) => ofLinkWithTokenHash(db, shareLinks.teacherId, tokenHash);

/** The slot, if it is the link's teacher's. */
const slotOfLinksTeacher = statementTemplate((db, p: { slotId: string; tokenHash: string }) =>
  db
    .select()
    .from(slots)
    .where(and(eq(slots.id, p.slotId), eq(slots.teacherId, teacherOfLink(db, p.tokenHash)))),
);

/** The link's teacher's sign-in address, where the booking notice goes. */
const emailOfLinksTeacher = statementTemplate((db, p: { tokenHash: string }) =>
  db
    .select({ email: users.email })
    .from(users)
    .where(eq(users.id, teacherOfLink(db, p.tokenHash))),
);

/**
 * The booking named, if it is the link's student's with the link's teacher, and its parties (for the notices),
 * all found through the link whose token has this hash, so another student's booking id is simply not found.
 */
const bookingOfLinkReads = statementTemplates((db, p: { tokenHash: string; bookingId: string; now: number }) => {
  const ofLink = (column: typeof shareLinks.studentId | typeof shareLinks.teacherId) =>
    ofLinkWithTokenHash(db, column, p.tokenHash);
  const isThisLinksBooking = () =>
    and(
      eq(bookings.id, p.bookingId),
      eq(bookings.studentId, ofLink(shareLinks.studentId)),
      eq(bookings.teacherId, ofLink(shareLinks.teacherId)),
    );
  const partyKeys = {
    studentId: ofLink(shareLinks.studentId),
    studentUserId: db.select({ id: bookings.studentUserId }).from(bookings).where(isThisLinksBooking()),
    teacherId: ofLink(shareLinks.teacherId),
  };
  return [db.select().from(bookings).where(isThisLinksBooking()), ...partiesReads(db, partyKeys, p.now)] as const;
});

type NewBooking = Pick<
  typeof bookings.$inferSelect,
  | 'id'
  | 'slotId'
  | 'teacherId'
  | 'studentId'
  | 'shareLinkId'
  | 'status'
  | 'startsAt'
  | 'endsAt'
  | 'subject'
  | 'scheduledAt'
  | 'source'
  | 'studentTimeZone'
> & { studentEmail: string };
/** The booking, made for the account with the student's address (which the same batch may have just made). */
const insertBooking = statementTemplate((db, p: NewBooking) =>
  db.insert(bookings).values({
    id: p.id,
    slotId: p.slotId,
    teacherId: p.teacherId,
    studentId: p.studentId,
    shareLinkId: p.shareLinkId,
    status: p.status,
    startsAt: p.startsAt,
    endsAt: p.endsAt,
    subject: p.subject,
    scheduledAt: p.scheduledAt,
    source: p.source,
    studentTimeZone: p.studentTimeZone,
    studentUserId: sql`(SELECT ${users.id} FROM ${users} WHERE ${users.email} = ${p.studentEmail})`,
  }),
);

/** A booking spends one of the link's uses (the trigger of migration 0002 refuses one too many). */
const useLinkOnce = statementTemplate((db, p: { linkId: string }) =>
  db
    .update(shareLinks)
    .set({ useCount: sql`${shareLinks.useCount} + 1` })
    .where(eq(shareLinks.id, p.linkId)),
);

interface Actor {
  ip: string;
  userAgent?: string;
  /** The student's browser time zone, for the confirmation email; the teacher's when unknown. */
  timeZone?: string;
  /** The account signed in in the browser that booked, if any: a booking from the student's own account shares. */
  signedInUserId?: string | null;
  /** The portal's own address (this link) for its teacher, where the confirmation email's reschedule link points. */
  portalUrl?: (teacherId: string) => string;
}

/**
 * Books the slot through the link with this token. The link (with its student and teacher), the slot and the
 * teacher's address (for the booking notice) are read in one round trip, the slot and the address found through
 * the token's link, so nothing waits for the link first; nothing read is used before the link is judged. Throws
 * what resolveLink throws (404 unknown, 410 not active); a malformed token costs no round trip.
 */
export async function bookThroughLink(
  env: Env,
  db: Db,
  token: string,
  slotId: string,
  now: number,
  actor: Actor,
  seen?: LinkSeen,
) {
  if (!isShareTokenShape(token)) await judgeLink(db, null, now, ['active']);
  const tokenHash = shareTokenHash(token);
  const [links, [slot], [teacherUser]] = await db.batch([
    linkWithTokenHash(db, tokenHash),
    slotOfLinksTeacher(db, { slotId, tokenHash }),
    emailOfLinksTeacher(db, { tokenHash }),
  ]);
  const resolved = await judgeLink(db, links[0] ?? null, now, ['active'], seen);
  const { link, student, teacher } = resolved;
  if (!slot || slot.status === 'canceled') throw notFound('This slot is no longer available.');
  if (slot.status === 'booked') throw slotTaken();
  const refusal = bookingRefusal(slot.startsAt, teacher, now);
  if (refusal === 'slot_past') throw new DomainError(refusal, 409, REFUSALS.slot_past);
  if (refusal === 'too_late_to_book')
    throw new DomainError(refusal, 409, REFUSALS.too_late_to_book(teacher.minNoticeMinutes));
  if (refusal === 'too_far_ahead')
    throw new DomainError(refusal, 409, REFUSALS.too_far_ahead(teacher.bookingHorizonDays));

  const booking = {
    id: newId(),
    slotId: slot.id,
    teacherId: teacher.id,
    studentId: student.id,
    shareLinkId: link.id,
    status: 'scheduled' as const,
    startsAt: slot.startsAt,
    endsAt: slot.endsAt,
    subject: slot.subject,
    scheduledAt: now,
    source: 'share_link' as const,
    // Reminders are written in the student's zone (worker/reminders/).
    studentTimeZone: actor.timeZone ?? null,
  };
  const account = await provisionStudentAccount(env, db, {
    rescheduleUrl: actor.portalUrl ? `${actor.portalUrl(teacher.id)}?reschedule=${booking.id}` : undefined,
    teacher,
    studentId: student.id,
    studentRowId: student.id,
    student,
    booking,
    timeZone: actor.timeZone,
    teacherEmail: teacherUser?.email ?? null,
    now,
  });
  const by = { actorType: 'share_link', actorId: link.id, ip: actor.ip, userAgent: actor.userAgent } as const;
  const audit = auditStatement(
    db,
    env,
    {
      ...by,
      action: 'booking.created',
      targetType: 'booking',
      targetId: booking.id,
      teacherId: teacher.id,
      studentId: student.id,
      details: account.auditDetails({ slotId: slot.id, startsAt: slot.startsAt, subject: slot.subject }),
    },
    now,
  );
  let version: number;
  let outcome: ReturnType<typeof account.outcome>;
  try {
    const [created, , , , , bumped] = await db.batch([
      account.createUser,
      insertBooking(db, { ...booking, studentEmail: student.email }),
      account.linkStudent,
      account.storeAccessToken,
      useLinkOnce(db, { linkId: link.id }),
      bumpVersion(db, teacher.id),
      audit,
      account.auditAccountCreated(by),
      insertRow(db, linkEvents, { id: newId(), shareLinkId: link.id, teacherId: teacher.id, kind: 'booking', at: now }),
      ...account.queueEmails,
      grantOnPortalBooking(db, {
        teacherId: teacher.id,
        studentEmail: student.email,
        bookingId: booking.id,
        signedInUserId: actor.signedInUserId ?? null,
        now,
      }),
    ]);
    version = bumped[0]!.version;
    outcome = account.outcome(created);
  } catch (error) {
    if (
      isConstraintError(error, 'SLOT_TAKEN') ||
      isConstraintError(error, 'UNIQUE constraint failed: bookings.slot_id')
    )
      throw slotTaken();
    if (isConstraintError(error, 'LINK_USED_UP'))
      throw new DomainError(
        'link_used_up',
        410,
        'This booking link has been used for all the bookings it allows. Ask your teacher for a new one.',
      );
    throw error;
  }
  // After commit; if this fails the cron sweep sends them.
  await enqueueOutbox(env, outcome.emailIds, now);
  const booked = { ...slot, status: 'booked' as const };
  await publishCalendarEvent(env, teacher.id, {
    version,
    kind: 'slots.upserted',
    slots: [
      teacherSlotView(booked, {
        id: booking.id,
        studentId: student.id,
        studentName: student.name,
        studentColor: student.color,
      }),
    ],
    at: now,
  });
  return { booking: studentBookingView({ ...booking, canceledBy: null, cancelMessage: null }, teacher, now), version };
}

/** One of this link's student's bookings with its teacher; another student's booking id is simply not found. */
async function linkBooking(db: Db, { student, teacher }: ResolvedLink, bookingId: string) {
  const [booking] = await db
    .select()
    .from(bookings)
    .where(and(eq(bookings.id, bookingId), eq(bookings.studentId, student.id), eq(bookings.teacherId, teacher.id)));
  if (!booking) throw notFound('No such booking.');
  return booking;
}

/**
 * Cancels one of the bookings of the student whose link has this token (a used-up link still can). The link and
 * the booking are read in one round trip, the booking found through the token's link (its student and teacher),
 * so another student's booking id is simply not found; nothing read is used before the link is judged. A
 * booking id that isn't one (`isBookingId`) is not looked up.
 */
export async function cancelThroughLink(
  env: Env,
  db: Db,
  token: string,
  bookingId: string,
  isBookingId: boolean,
  now: number,
  actor: Actor,
  seen?: LinkSeen,
) {
  const allow: LinkState[] = ['active', 'used_up'];
  if (!isShareTokenShape(token)) await judgeLink(db, null, now, allow);
  const tokenHash = shareTokenHash(token);
  const [links, found, ...partyRows] = isBookingId
    ? await db.batch([linkWithTokenHash(db, tokenHash), ...bookingOfLinkReads(db, { tokenHash, bookingId, now })])
    : [await linkWithTokenHash(db, tokenHash), [], [], [], [], []];
  const resolved = await judgeLink(db, links[0] ?? null, now, allow, seen);
  const [booking] = found;
  if (!booking) throw notFound('No such booking.');
  const { link, teacher } = resolved;
  return cancelBooking(env, db, {
    booking,
    teacher,
    now,
    parties: await partiesFrom(env, partyRows as PartiesRows, booking, teacher, now),
    by: { actorType: 'share_link', actorId: link.id, ip: actor.ip, userAgent: actor.userAgent },
    viaLinkId: link.id,
  });
}

/** A student moves one of their sessions from the portal; a used-up link still can (the caller allows it). */
export async function rescheduleThroughLink(
  env: Env,
  db: Db,
  resolved: ResolvedLink,
  bookingId: string,
  slotId: string,
  now: number,
  actor: Actor,
) {
  const { link, teacher } = resolved;
  const booking = await linkBooking(db, resolved, bookingId);
  return moveBooking(env, db, {
    booking,
    teacher,
    slotId,
    now,
    as: 'student',
    by: { actorType: 'share_link', actorId: link.id, ip: actor.ip, userAgent: actor.userAgent },
  });
}

export function studentBookingView(
  b: Pick<
    typeof bookings.$inferSelect,
    'id' | 'slotId' | 'startsAt' | 'endsAt' | 'subject' | 'status' | 'canceledBy' | 'cancelMessage'
  >,
  teacher: ResolvedLink['teacher'],
  now: number,
) {
  const deadline = cancelDeadline(b.startsAt, teacher);
  const moveDeadline = rescheduleDeadline(b.startsAt, teacher);
  const upcoming = b.status === 'scheduled' && b.startsAt > now;
  return {
    id: b.id,
    slotId: b.slotId,
    startsAt: b.startsAt,
    endsAt: b.endsAt,
    subject: b.subject,
    status: shownStatus(b, teacher.autoCompleteAfterDays, now, 'student'),
    cancelUntil: deadline,
    canCancel: upcoming && now <= deadline,
    rescheduleUntil: moveDeadline,
    canReschedule: upcoming && now <= moveDeadline,
    canceledBy: b.canceledBy,
    cancelMessage: b.cancelMessage,
  };
}
