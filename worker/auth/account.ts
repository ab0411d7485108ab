/**
 * Accounts from a verified address, for every way of signing in that can make one: a sign-up link and a
 * provider's sign-in. The unique email decides between two at once: both find the account the first made.
 */
import { eq } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { teachers, users, type User } from '../../db/schema.ts';
import { newId } from '../crypto/random.ts';
import type { Db } from '../db.ts';

/** The account with this (verified) address, made as a teacher's when there is none. */
export async function accountForVerifiedEmail(
  db: Db,
  email: string,
  now: number,
): Promise<{ user: User | undefined; created: boolean }> {
  const userId = newId();
  // One round trip: the row is read back in the same batch (one transaction) as the writes that made it.
  const [, , [user]] = await db.batch([
    db
      .insert(users)
      .values({ id: userId, email, name: '', role: 'teacher', emailVerifiedAt: now, createdAt: now, updatedAt: now })
      .onConflictDoNothing(),
    db.update(users).set({ emailVerifiedAt: now, updatedAt: now }).where(eq(users.email, email)),
    db.select().from(users).where(eq(users.email, email)).limit(1),
  ]);
  return { user, created: user?.id === userId };
}

/**
 * What makes a user a teacher, for the caller's batch: the profile (named after the address until they choose
 * a name) and the role, which is where sign-in lands and which the session check of migration 0003 requires
 * along with the profile. An account a booking made keeps its sessions and becomes a teacher's too.
 */
export function becomeTeacher(
  db: Db,
  user: Pick<User, 'id' | 'name' | 'email'>,
  timeZone: string,
  now: number,
): [BatchItem<'sqlite'>, BatchItem<'sqlite'>] {
  const displayName = user.name || user.email.split('@')[0] || 'Teacher';
  return [
    db
      .insert(teachers)
      .values({ id: user.id, displayName, timeZone, createdAt: now, updatedAt: now })
      .onConflictDoNothing(),
    db.update(users).set({ role: 'teacher', updatedAt: now }).where(eq(users.id, user.id)),
  ];
}
