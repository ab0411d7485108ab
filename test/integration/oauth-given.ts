/** Scenario builders for the sign-in-through-a-provider tests. */
import { eq } from 'drizzle-orm';
import * as schema from '../../db/schema.ts';
import { db } from '../support/database.ts';
import { givenSlots, givenStudent, givenTeacher } from '../support/scenario.ts';

export { db } from '../support/database.ts';
export { uniqueEmail } from '../support/stack.ts';

/** A student whose account a booking made (no password, never signed in). */
export async function givenBookedStudentUser() {
  const teacher = await givenTeacher();
  const [slot] = await givenSlots(teacher, 1);
  const student = await givenStudent(teacher);
  const booked = await student.portal.book(slot!);
  if (booked.status !== 201) throw new Error(`booking failed: ${JSON.stringify(booked.body)}`);
  const [user] = await db().select().from(schema.users).where(eq(schema.users.email, student.email));
  return { id: user!.id, email: student.email };
}
