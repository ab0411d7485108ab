/**
 * A teacher's students: the list (with each one's newest link, last email and the availability they share with
 * this teacher), add, edit, remove.
 */
import { and, eq, gt } from 'drizzle-orm';
import { bookings, students, type Teacher } from '../../db/schema.ts';
import { auditStatement } from '../audit.ts';
import { newId } from '../crypto/random.ts';
import { isConstraintError, type Db } from '../db.ts';
import type { Env } from '../env.ts';
import { DomainError } from '../errors.ts';
import { revokeStudentLinks } from '../share-links/issue.ts';
import { nextStudentColor } from './colors.ts';
import { findStudent } from './find.ts';
import { studentPanel } from './panel.ts';

const studentExists = () =>
  new DomainError('student_exists', 409, 'You already have a student with this email address.');

/** The teacher's students as panel rows (students/panel.ts): one round trip for the whole list. */
export function listStudents(env: Env, db: Db, teacherId: string, now: number) {
  return studentPanel(env, db, teacherId, now);
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
