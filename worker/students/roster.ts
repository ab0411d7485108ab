/**
 * A teacher's students: the list (with each one's newest link, last email and the availability they share with
 * this teacher), add, edit, remove.
 */
import { and, desc, eq, gt, inArray } from 'drizzle-orm';
import { bookings, emailOutbox, students, type Teacher } from '../../db/schema.ts';
import { auditStatement } from '../audit.ts';
import { newId } from '../crypto/random.ts';
import { isConstraintError, type Db } from '../db.ts';
import { config, type Env } from '../env.ts';
import { DomainError } from '../errors.ts';
import { revokeStudentLinks } from '../share-links/issue.ts';
import { latestLinks, linkView } from '../share-links/view.ts';
import { nextStudentColor } from './colors.ts';
import { findStudent } from './find.ts';
import { sharedAvailabilityOf } from './sharing.ts';

const studentExists = () =>
  new DomainError('student_exists', 409, 'You already have a student with this email address.');

/** The newest email about each student, so a failed delivery shows next to them. */
async function latestEmails(db: Db, teacherId: string, studentIds: string[]) {
  const latest = new Map<
    string,
    { template: string; status: string; attempts: number; lastError: string | null; sentAt: number | null; at: number }
  >();
  if (studentIds.length === 0) return latest;
  const rows = await db
    .select({
      studentId: emailOutbox.studentId,
      template: emailOutbox.template,
      status: emailOutbox.status,
      attempts: emailOutbox.attempts,
      lastError: emailOutbox.lastError,
      sentAt: emailOutbox.sentAt,
      at: emailOutbox.createdAt,
    })
    .from(emailOutbox)
    .where(and(eq(emailOutbox.teacherId, teacherId), inArray(emailOutbox.studentId, studentIds)))
    .orderBy(desc(emailOutbox.createdAt));
  for (const { studentId, ...row } of rows)
    if (studentId && !latest.has(studentId) && row.template !== 'booking-notice') latest.set(studentId, row);
  return latest;
}

/** A bounce or complaint reported for the student's address (students/email-problems.ts), for the teacher. */
function emailProblemView(s: typeof students.$inferSelect) {
  return s.emailProblem ? { kind: s.emailProblem, reason: s.emailProblemReason ?? '', at: s.emailProblemAt } : null;
}

export async function listStudents(env: Env, db: Db, teacherId: string, now: number) {
  const list = await db.select().from(students).where(eq(students.teacherId, teacherId)).orderBy(students.name);
  const ids = list.map((s) => s.id);
  const [links, emails, shared] = await Promise.all([
    latestLinks(db, ids),
    latestEmails(db, teacherId, ids),
    sharedAvailabilityOf(db, teacherId),
  ]);
  const { SECRET_KEY, APP_URL } = config(env);
  return Promise.all(
    list.map(async (s) => ({
      id: s.id,
      name: s.name,
      email: s.email,
      color: s.color,
      // Nothing here says whether the address has a Slotcast account (no flag, nothing taken from the
      // account): only what the teacher entered, and what the student chose to share with this teacher.
      link: links.has(s.id) ? await linkView(SECRET_KEY, APP_URL, links.get(s.id)!, now) : null,
      lastEmail: emails.get(s.id) ?? null,
      emailProblem: emailProblemView(s),
      availability: shared.get(s.id) ?? null,
    })),
  );
}

export async function addStudent(
  env: Env,
  db: Db,
  teacher: Teacher,
  input: { name: string; email: string; color?: string },
  now: number,
) {
  const taken = await db.select({ color: students.color }).from(students).where(eq(students.teacherId, teacher.id));
  const student = {
    id: newId(),
    teacherId: teacher.id,
    name: input.name,
    email: input.email,
    color: input.color ?? nextStudentColor(taken.map((t) => t.color)),
    createdAt: now,
    updatedAt: now,
  };
  try {
    await db.batch([
      db.insert(students).values(student),
      auditStatement(
        db,
        env,
        {
          actorType: 'teacher',
          actorId: teacher.id,
          action: 'student.added',
          targetType: 'student',
          targetId: student.id,
          teacherId: teacher.id,
          studentId: student.id,
          details: { name: student.name },
        },
        now,
      ),
    ]);
  } catch (error) {
    if (isConstraintError(error, 'UNIQUE')) throw studentExists();
    throw error;
  }
  return {
    id: student.id,
    name: student.name,
    email: student.email,
    color: student.color,
    link: null,
    lastEmail: null,
    emailProblem: null,
    availability: null,
  };
}

export async function updateStudent(
  db: Db,
  teacher: Teacher,
  studentId: string,
  changes: { name?: string; email?: string; color?: string },
  now: number,
) {
  await findStudent(db, teacher.id, studentId);
  try {
    const [updated] = await db
      .update(students)
      .set({ ...changes, updatedAt: now })
      .where(and(eq(students.id, studentId), eq(students.teacherId, teacher.id)))
      .returning();
    return { id: updated!.id, name: updated!.name, email: updated!.email, color: updated!.color };
  } catch (error) {
    if (isConstraintError(error, 'UNIQUE')) throw studentExists();
    throw error;
  }
}

/** Removes a student without upcoming sessions; their links stop working at once. */
export async function removeStudent(env: Env, db: Db, teacher: Teacher, studentId: string, now: number) {
  const student = await findStudent(db, teacher.id, studentId);
  const upcoming = await db
    .select({ id: bookings.id })
    .from(bookings)
    .where(and(eq(bookings.studentId, student.id), eq(bookings.status, 'scheduled'), gt(bookings.startsAt, now)))
    .limit(1);
  if (upcoming.length > 0)
    throw new DomainError(
      'student_has_bookings',
      409,
      `${student.name} has upcoming sessions. Cancel them before removing the student.`,
    );
  await revokeStudentLinks(env, db, teacher.id, student.id, now);
  await db.batch([
    db.delete(students).where(eq(students.id, student.id)),
    auditStatement(
      db,
      env,
      {
        actorType: 'teacher',
        actorId: teacher.id,
        action: 'student.removed',
        targetType: 'student',
        targetId: student.id,
        teacherId: teacher.id,
        studentId: student.id,
        details: { name: student.name },
      },
      now,
    ),
  ]);
}
