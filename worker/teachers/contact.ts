/**
 * How a student reaches their teacher when Slotcast can't do what they ask (too late to cancel or move):
 * the teacher's own account address (Slotcast's emails come from a no-reply sender, so a student would
 * otherwise have no way to write back), shown only to the teacher's own students.
 */
import { eq } from 'drizzle-orm';
import { users, type Teacher } from '../../db/schema.ts';
import type { Db } from '../db.ts';

export async function teacherContact(db: Db, teacher: Pick<Teacher, 'id' | 'displayName'>) {
  const [row] = await db.select({ email: users.email }).from(users).where(eq(users.id, teacher.id));
  return { name: teacher.displayName, email: row?.email ?? null };
}
