/**
 * The student's side of every confirmed booking, whichever way it came in (a share link or
 * `POST /api/booking/confirm`): the account found by email or created in the booking batch itself, the
 * first-access (or sign-in) link, the confirmation email and the teacher's notice. The caller puts the
 * statements into its own batch, so the account, the booking and the emails commit or roll back together.
 */
import { eq, or, sql, type SQL } from 'drizzle-orm';
import { students, users, type Teacher } from '../../db/schema.ts';
import { FIRST_ACCESS_TTL_MS, newLoginToken, signInUrl } from '../auth/magic-link.ts';
import { newId } from '../crypto/random.ts';
import type { Db } from '../db.ts';
import { outboxValues } from '../email/outbox.ts';
import { config, type Env } from '../env.ts';

export interface ProvisionInput {
  teacher: Teacher;
  /** The enrolled student: an id, or a subquery for a row inserted earlier in the same batch. */
  studentId: string | SQL;
  /** The enrolled student's id as the outbox records it (who the email concerns). */
  studentRowId: string | null;
  student: { email: string; name: string };
  booking: { id: string; startsAt: number; endsAt: number; subject: string };
  /** The student's time zone for the email; the teacher's when unknown. */
  timeZone?: string;
  /** Where the confirmation's "move or cancel" link points; the dashboard when absent. */
  rescheduleUrl?: string;
  now: number;
}

export async function provisionStudentAccount(env: Env, db: Db, input: ProvisionInput) {
  const { teacher, student, booking, now } = input;
  const people = await db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(or(eq(users.email, student.email), eq(users.id, teacher.id)));
  const newAccount = !people.some((u) => u.email === student.email);
  const teacherEmail = people.find((u) => u.id === teacher.id)?.email;
  // A subquery, not an id: the account may be the one this very batch creates, or one a concurrent first
  // booking created a moment ago (the unique email makes both end with the same row).
  const userId = sql`(SELECT ${users.id} FROM ${users} WHERE ${users.email} = ${student.email})`;
  const { APP_URL } = config(env);
  const origin = new URL(APP_URL).origin;
  // First access is by a single-use link, never a password (DESIGN.md).
  const access = newLoginToken(
    db,
    { email: student.email, userId, purpose: newAccount ? 'first_access' : 'login', ttlMs: FIRST_ACCESS_TTL_MS },
    now,
  );
  const concerns = { teacherId: teacher.id, studentId: input.studentRowId };
  const confirmation = await outboxValues(
    env,
    {
      recipient: student.email,
      template: 'booking-confirmation',
      payload: {
        bookingId: booking.id,
        studentName: student.name,
        teacherName: teacher.displayName,
        subject: booking.subject,
        startsAt: booking.startsAt,
        endsAt: booking.endsAt,
        studentTimeZone: input.timeZone ?? teacher.timeZone,
        teacherTimeZone: teacher.timeZone,
        dashboardUrl: `${origin}/student`,
        signInUrl: signInUrl(APP_URL, access.token),
        newAccount,
        signInValidHours: FIRST_ACCESS_TTL_MS / 3_600_000,
        createdAt: now,
        rescheduleUrl: input.rescheduleUrl ?? `${origin}/student?reschedule=${booking.id}`,
      },
      ...concerns,
    },
    now,
  );
  const notice =
    teacher.notifyOnBooking && teacherEmail
      ? await outboxValues(
          env,
          {
            recipient: teacherEmail,
            template: 'booking-notice',
            payload: {
              teacherName: teacher.displayName,
              studentName: student.name,
              subject: booking.subject,
              startsAt: booking.startsAt,
              endsAt: booking.endsAt,
              timeZone: teacher.timeZone,
              calendarUrl: `${origin}/teacher`,
            },
            ...concerns,
          },
          now,
        )
      : null;
  return {
    newAccount,
    /** The student's user id, as SQL valid anywhere after `createUser` in the batch. */
    userId,
    /** Goes before the booking's insert. */
    createUser: db
      .insert(users)
      .values({
        id: newId(),
        email: student.email,
        name: student.name,
        role: 'student',
        createdFromBookingId: booking.id,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing(),
    /** The enrolled student now points at the account. */
    linkStudent: db.update(students).set({ userId, updatedAt: now }).where(eq(students.id, input.studentId)),
    storeAccessToken: access.insert,
    emails: notice ? [confirmation, notice] : [confirmation],
  };
}
