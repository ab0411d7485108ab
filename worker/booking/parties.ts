/**
 * Who a booking concerns, as the emails about a change need them: the enrolled student (name, address,
 * colour), the teacher's address, the student's time zone, and where the student manages their sessions.
 * One round trip (a read batch), or none of its own inside the caller's batch (`partiesReads`).
 */
import { and, desc, eq, gt, isNull, type SQLWrapper } from 'drizzle-orm';
import { availability, shareLinks, students, users, type Booking, type Teacher } from '../../db/schema.ts';
import type { Db } from '../db.ts';
import { config, type Env } from '../env.ts';
import { linkState } from '../share-links/state.ts';
import { openShareToken, shareUrl } from '../share-links/tokens.ts';

export type Parties = Awaited<ReturnType<typeof partiesFrom>>;

/** A party's id, or a subquery that finds it in the same batch (through a share link, say). */
type Key = string | SQLWrapper;

/**
 * The four reads `partiesFrom` needs, to run in a batch of their own (`loadParties`) or inside the caller's
 * batch, keyed by subqueries, so finding the booking and its parties is one round trip.
 */
export function partiesReads(db: Db, keys: { studentId: Key; studentUserId: Key; teacherId: Key }, now: number) {
  return [
    db
      .select({ id: students.id, name: students.name, email: students.email, color: students.color })
      .from(students)
      .where(eq(students.id, keys.studentId)),
    db.select({ email: users.email }).from(users).where(eq(users.id, keys.teacherId)),
    db
      .select({ timeZone: availability.timeZone })
      .from(availability)
      .where(eq(availability.studentUserId, keys.studentUserId)),
    // The student's newest link that still opens their portal (a used-up one can still move and cancel).
    db
      .select()
      .from(shareLinks)
      .where(and(eq(shareLinks.studentId, keys.studentId), isNull(shareLinks.revokedAt), gt(shareLinks.expiresAt, now)))
      .orderBy(desc(shareLinks.createdAt))
      .limit(1),
  ] as const;
}

type Reads = ReturnType<typeof partiesReads>;
export type PartiesRows = readonly [Awaited<Reads[0]>, Awaited<Reads[1]>, Awaited<Reads[2]>, Awaited<Reads[3]>];

export async function loadParties(
  env: Env,
  db: Db,
  booking: Pick<Booking, 'studentId' | 'studentUserId' | 'studentTimeZone'>,
  teacher: Pick<Teacher, 'id' | 'timeZone'>,
  now: number,
) {
  const keys = {
    studentId: booking.studentId ?? '',
    studentUserId: booking.studentUserId ?? '',
    teacherId: teacher.id,
  };
  return partiesFrom(env, await db.batch(partiesReads(db, keys, now)), booking, teacher, now);
}

/** The parties from the rows of `partiesReads`. */
export async function partiesFrom(
  env: Env,
  [studentRows, teacherRows, zoneRows, linkRows]: PartiesRows,
  booking: Pick<Booking, 'studentTimeZone'>,
  teacher: Pick<Teacher, 'id' | 'timeZone'>,
  now: number,
) {
  const { APP_URL, SECRET_KEY } = config(env);
  const origin = new URL(APP_URL).origin;
  const link = linkRows[0];
  const portalUrl =
    link && ['active', 'used_up'].includes(linkState(link, now))
      ? shareUrl(APP_URL, teacher.id, await openShareToken(SECRET_KEY, link.tokenSealed))
      : null;
  return {
    student: studentRows[0] ?? null,
    teacherEmail: teacherRows[0]?.email ?? null,
    /** The zone they booked in, else the one their availability is in, else the teacher's. */
    studentTimeZone: booking.studentTimeZone ?? zoneRows[0]?.timeZone ?? teacher.timeZone,
    dashboardUrl: `${origin}/student`,
    teacherBookingsUrl: `${origin}/teacher/bookings`,
    teacherCalendarUrl: `${origin}/teacher`,
    /** Where the student picks another time: their booking page, or the dashboard without a working link. */
    portalUrl,
  };
}

/** The student's link to move one session: the booking page in reschedule mode, or the dashboard. */
export const rescheduleUrl = (parties: Pick<Parties, 'portalUrl' | 'dashboardUrl'>, bookingId: string) =>
  `${parties.portalUrl ?? parties.dashboardUrl}?reschedule=${encodeURIComponent(bookingId)}`;
