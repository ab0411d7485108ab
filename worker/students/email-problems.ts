/**
 * Addresses that don't work. A bounce or spam complaint reported by the provider marks the outbox row and the
 * student the email was about, with the reason in plain words; the teacher then corrects the address (or
 * confirms it) and sends the booking confirmation again, with a fresh sign-in link.
 */
import { and, asc, desc, eq, gt, sql } from 'drizzle-orm';
import { bookings, emailOutbox, students, users, type Teacher } from '../../db/schema.ts';
import { auditStatement } from '../audit.ts';
import { FIRST_ACCESS_TTL_MS, newLoginToken, signInUrl } from '../auth/magic-link.ts';
import { newId } from '../crypto/random.ts';
import { isConstraintError, type Db } from '../db.ts';
import type { DeliveryProblem } from '../email/events.ts';
import { enqueueOutbox, outboxValues } from '../email/outbox.ts';
import { config, type Env } from '../env.ts';
import { DomainError } from '../errors.ts';
import { findStudent } from './find.ts';

/** The outbox row a report is about: by the provider's message id, else the newest email sent to the address. */
async function reportedRow(db: Db, problem: DeliveryProblem) {
  if (problem.providerMessageId) {
    const [byId] = await db
      .select()
      .from(emailOutbox)
      .where(eq(emailOutbox.providerMessageId, problem.providerMessageId))
      .limit(1);
    if (byId) return byId;
  }
  if (!problem.recipient) return null;
  const [newest] = await db
    .select()
    .from(emailOutbox)
    .where(and(eq(emailOutbox.recipient, problem.recipient), eq(emailOutbox.status, 'sent')))
    .orderBy(desc(emailOutbox.createdAt))
    .limit(1);
  return newest ?? null;
}

/**
 * Records a bounce or complaint. Only the student the email was about (that teacher's, at that address) is
 * marked: another teacher's student with the same address learns nothing of it. Returns false when no email
 * of ours matches (an event for another app on the same provider account, say).
 */
export async function recordDeliveryProblem(env: Env, db: Db, problem: DeliveryProblem, now: number) {
  const row = await reportedRow(db, problem);
  if (!row) return false;
  const audit = auditStatement(
    db,
    env,
    {
      actorType: 'system',
      action: `email.${problem.kind}`,
      targetType: 'email',
      targetId: row.id,
      teacherId: row.teacherId,
      studentId: row.studentId,
      details: { template: row.template, reason: problem.reason },
      changes: { status: { from: row.status, to: problem.kind } },
    },
    now,
  );
  await db.batch([
    db
      .update(emailOutbox)
      .set({ status: problem.kind, lastError: problem.reason, updatedAt: now })
      .where(eq(emailOutbox.id, row.id)),
    db
      .update(students)
      .set({ emailProblem: problem.kind, emailProblemReason: problem.reason, emailProblemAt: now, updatedAt: now })
      .where(
        and(
          eq(students.id, row.studentId ?? ''),
          eq(students.teacherId, row.teacherId ?? ''),
          eq(students.email, row.recipient),
        ),
      ),
    audit,
  ]);
  return true;
}

/**
 * The teacher corrects a student's address (or keeps it, having checked it) and the confirmation of the
 * student's next session goes out again, with a fresh sign-in link for the account at that address. The
 * student's upcoming sessions with this teacher move to that account.
 */
export async function correctAndResendConfirmation(
  env: Env,
  db: Db,
  teacher: Teacher,
  input: { studentId: string; email?: string; ip: string; userAgent?: string },
  now: number,
) {
  const student = await findStudent(db, teacher.id, input.studentId);
  const email = input.email ?? student.email;
  const [next] = await db
    .select()
    .from(bookings)
    .where(and(eq(bookings.studentId, student.id), eq(bookings.status, 'scheduled'), gt(bookings.startsAt, now)))
    .orderBy(asc(bookings.startsAt))
    .limit(1);
  if (!next)
    throw new DomainError(
      'nothing_to_confirm',
      409,
      `${student.name} has no upcoming session to confirm. Email them their booking link instead.`,
    );
  const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  const newAccount = !existing;
  const userId = sql`(SELECT ${users.id} FROM ${users} WHERE ${users.email} = ${email})`;
  const { APP_URL } = config(env);
  const access = newLoginToken(
    db,
    { email, userId, purpose: newAccount ? 'first_access' : 'login', ttlMs: FIRST_ACCESS_TTL_MS },
    now,
  );
  const confirmation = await outboxValues(
    env,
    {
      recipient: email,
      template: 'booking-confirmation',
      payload: {
        bookingId: next.id,
        studentName: student.name,
        teacherName: teacher.displayName,
        subject: next.subject,
        startsAt: next.startsAt,
        endsAt: next.endsAt,
        studentTimeZone: next.studentTimeZone ?? teacher.timeZone,
        teacherTimeZone: teacher.timeZone,
        dashboardUrl: `${new URL(APP_URL).origin}/student`,
        signInUrl: signInUrl(APP_URL, access.token),
        newAccount,
        signInValidHours: FIRST_ACCESS_TTL_MS / 3_600_000,
        createdAt: now,
      },
      teacherId: teacher.id,
      studentId: student.id,
    },
    now,
  );
  const audit = auditStatement(
    db,
    env,
    {
      actorType: 'teacher',
      actorId: teacher.id,
      action: 'student.confirmation_resent',
      targetType: 'student',
      targetId: student.id,
      teacherId: teacher.id,
      studentId: student.id,
      ...(email !== student.email ? { changes: { email: { from: student.email, to: email } } } : {}),
      ip: input.ip,
      userAgent: input.userAgent,
      details: { addressChanged: email !== student.email, bookingId: next.id },
    },
    now,
  );
  try {
    await db.batch([
      db
        .insert(users)
        .values({ id: newId(), email, name: student.name, role: 'student', createdAt: now, updatedAt: now })
        .onConflictDoNothing(),
      db
        .update(students)
        .set({ email, userId, emailProblem: null, emailProblemReason: null, emailProblemAt: null, updatedAt: now })
        .where(and(eq(students.id, student.id), eq(students.teacherId, teacher.id))),
      db
        .update(bookings)
        .set({ studentUserId: userId })
        .where(and(eq(bookings.studentId, student.id), eq(bookings.status, 'scheduled'), gt(bookings.startsAt, now))),
      access.insert,
      db.insert(emailOutbox).values(confirmation),
      audit,
    ]);
  } catch (error) {
    if (isConstraintError(error, 'UNIQUE constraint failed: students'))
      throw new DomainError('student_exists', 409, 'You already have a student with this email address.');
    throw error;
  }
  await enqueueOutbox(env, [confirmation.id], now);
  return { recipient: email, bookingId: next.id };
}
