/**
 * The student's side of every confirmed booking, whichever way it came in (a share link or
 * `POST /api/booking/confirm`): the account found by email or created in the booking batch itself, the
 * first-access (or sign-in) link, the confirmation email and the teacher's notice. The caller puts the
 * statements into its own batch, so the account, the booking and the emails commit or roll back together.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import { emailOutbox, loginTokens, students, users, type Teacher } from '../../db/schema.ts';
import { auditStatementWhen, type AuditEntry } from '../audit.ts';
import { FIRST_ACCESS_TTL_MS, newLoginTokenSecret, signInUrl } from '../auth/magic-link.ts';
import { newId } from '../crypto/random.ts';
import type { Db } from '../db.ts';
import { insertRow, statementTemplate } from '../db-template.ts';
import { outboxInsertWhen, outboxValues } from '../email/outbox.ts';
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
  /**
   * The teacher's sign-in address (where the booking notice goes), when the caller read it already (in a batch
   * with its own reads, to save a round trip); looked up here otherwise.
   */
  teacherEmail?: string | null;
  now: number;
}

/** The account with this address, as SQL valid anywhere after `createUser` in the batch. */
const accountOf = (email: string) => sql`(SELECT ${users.id} FROM ${users} WHERE ${users.email} = ${email})`;

/** Whether this booking made the account with this address, as the batch sees it when it gets there. */
const madeBy = ({ email, bookingId }: { email: string; bookingId: string }) =>
  sql`EXISTS (SELECT 1 FROM ${users} WHERE ${users.email} = ${email} AND ${users.createdFromBookingId} = ${bookingId})`;

// The statements of every booking, built once (worker/db-template.ts).
const createAccount = statementTemplate(
  (db, p: { id: string; email: string; name: string; bookingId: string; now: number }) =>
    db
      .insert(users)
      .values({
        id: p.id,
        email: p.email,
        name: p.name,
        role: 'student',
        createdFromBookingId: p.bookingId,
        createdAt: p.now,
        updatedAt: p.now,
      })
      .onConflictDoNothing()
      .returning({ id: users.id }),
);
const linkStudentToAccount = statementTemplate((db, p: { studentId: string; email: string; now: number }) =>
  db
    .update(students)
    .set({ userId: accountOf(p.email), updatedAt: p.now })
    .where(eq(students.id, p.studentId)),
);
/** The first-access link's token if this booking made the account, a plain sign-in link's otherwise. */
const storeAccessToken = statementTemplate(
  (db, p: { id: string; tokenHash: string; email: string; bookingId: string; expiresAt: number; now: number }) =>
    db.insert(loginTokens).values({
      id: p.id,
      tokenHash: p.tokenHash,
      email: p.email,
      userId: accountOf(p.email),
      purpose: sql`CASE WHEN ${madeBy(p)} THEN 'first_access' ELSE 'login' END`,
      expiresAt: p.expiresAt,
      createdAt: p.now,
    }),
);
const outboxIfAccountMade = outboxInsertWhen(madeBy);
const outboxUnlessAccountMade = outboxInsertWhen((p: { email: string; bookingId: string }) => sql`NOT ${madeBy(p)}`);

export async function provisionStudentAccount(env: Env, db: Db, input: ProvisionInput) {
  const { teacher, student, booking, now } = input;
  const teacherUser =
    input.teacherEmail !== undefined
      ? input.teacherEmail === null
        ? undefined
        : { email: input.teacherEmail }
      : (await db.select({ email: users.email }).from(users).where(eq(users.id, teacher.id)))[0];
  // A subquery, not an id: the account may be the one this very batch creates, or one a concurrent first
  // booking created a moment ago (the unique email makes both end with the same row).
  const userId = accountOf(student.email);
  // Whether this batch made the account is decided inside the batch, never by a read before it: when several
  // first bookings of one address race, only one insert of the users row wins, and it records this booking.
  const made = { email: student.email, bookingId: booking.id };
  const madeByThisBooking = madeBy(made);
  const { APP_URL } = config(env);
  const origin = new URL(APP_URL).origin;
  // First access is by a single-use link, never a password (DESIGN.md).
  const access = newLoginTokenSecret();
  const concerns = { teacherId: teacher.id, studentId: input.studentRowId };
  const confirmation = (newAccount: boolean) =>
    outboxValues(
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
  // Both wordings are sealed now; the batch inserts the one its outcome calls for.
  const [welcome, plain] = await Promise.all([confirmation(true), confirmation(false)]);
  const notice =
    teacher.notifyOnBooking && teacherUser
      ? await outboxValues(
          env,
          {
            recipient: teacherUser.email,
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
    /** The student's user id, as SQL valid anywhere after `createUser` in the batch. */
    userId,
    /** Goes before the booking's insert; its result (a row only when it made the account) goes to `outcome`. */
    createUser: createAccount(db, {
      id: newId(),
      email: student.email,
      name: student.name,
      bookingId: booking.id,
      now,
    }),
    /** The enrolled student now points at the account. */
    linkStudent:
      typeof input.studentId === 'string'
        ? linkStudentToAccount(db, { studentId: input.studentId, email: student.email, now })
        : db.update(students).set({ userId, updatedAt: now }).where(eq(students.id, input.studentId)),
    storeAccessToken: storeAccessToken(db, {
      id: newId(),
      tokenHash: access.tokenHash,
      ...made,
      expiresAt: now + FIRST_ACCESS_TTL_MS,
      now,
    }),
    /** Anywhere after `createUser`: the confirmation in the wording the batch's outcome calls for, and the notice. */
    queueEmails: [
      outboxIfAccountMade(db, { ...welcome, ...made }),
      outboxUnlessAccountMade(db, { ...plain, ...made }),
      ...(notice ? [insertRow(db, emailOutbox, notice)] : []),
    ] as const,
    /** Anywhere after `createUser`: `account.created` in the teacher's trail, only when this booking made it. */
    auditAccountCreated: (by: Pick<AuditEntry, 'actorType' | 'actorId' | 'ip' | 'userAgent'>) =>
      auditStatementWhen(
        db,
        env,
        {
          ...by,
          action: 'account.created',
          targetType: 'user',
          targetId: null,
          teacherId: teacher.id,
          studentId: input.studentId,
          details: { via: 'booking', bookingId: booking.id },
        },
        now,
        madeByThisBooking,
      ),
    /** Audit details with `newAccount` filled in by the batch itself. */
    auditDetails: (details: Record<string, unknown>) =>
      sql`json_set(${JSON.stringify(details)}, '$.newAccount', json(CASE WHEN ${madeByThisBooking} THEN 'true' ELSE 'false' END))`,
    /** After the batch, from `createUser`'s result: whether it made the account, and the emails it queued. */
    outcome(createdRows: readonly unknown[]) {
      const newAccount = createdRows.length > 0;
      return { newAccount, emailIds: [newAccount ? welcome.id : plain.id, ...(notice ? [notice.id] : [])] };
    },
  };
}
