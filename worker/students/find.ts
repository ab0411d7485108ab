import { and, eq } from 'drizzle-orm';
import { students } from '../../db/schema.ts';
import type { Db } from '../db.ts';
import { notFound } from '../errors.ts';

/** One of the teacher's own students; another teacher's is simply not found. */
export async function findStudent(db: Db, teacherId: string, id: string) {
  const [student] = await db
    .select()
    .from(students)
    .where(and(eq(students.id, id), eq(students.teacherId, teacherId)));
  if (!student) throw notFound('No such student.');
  return student;
}
