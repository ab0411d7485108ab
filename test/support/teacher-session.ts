/**
 * Arranges a signed-in teacher directly in the database: the user, the teacher profile and a session whose
 * cookie the caller can send. The sign-in flow itself is tested end to end elsewhere; this is for the tests
 * and benchmarks that start from "a teacher is signed in".
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import * as schema from '../../db/schema.ts';

export async function createTeacherSession(
  db: LibSQLDatabase<typeof schema>,
  options: Partial<typeof schema.teachers.$inferInsert> = {},
) {
  const now = Date.now();
  const id = randomUUID();
  const email = `teacher-${id.slice(0, 8)}@example.test`;
  const sessionId = randomBytes(20).toString('hex');
  const secret = randomBytes(20).toString('hex');
  await db.batch([
    db.insert(schema.users).values({
      id,
      email,
      name: 'Test Teacher',
      role: 'teacher',
      emailVerifiedAt: now,
      createdAt: now,
      updatedAt: now,
    }),
    db.insert(schema.teachers).values({
      id,
      displayName: 'Test Teacher',
      timeZone: 'Europe/Berlin',
      createdAt: now,
      updatedAt: now,
      ...options,
    }),
    db.insert(schema.authSessions).values({
      id: sessionId,
      userId: id,
      secretHash: createHash('sha256').update(secret).digest(),
      createdAt: now,
      lastVerifiedAt: now,
    }),
  ]);
  return { id, email, cookie: `slotcast_session=${sessionId}.${secret}` };
}

/** A session for an existing user (a student made by a booking, say); returns the cookie to send. */
export async function createSessionFor(db: LibSQLDatabase<typeof schema>, userId: string): Promise<string> {
  const now = Date.now();
  const sessionId = randomBytes(20).toString('hex');
  const secret = randomBytes(20).toString('hex');
  await db.insert(schema.authSessions).values({
    id: sessionId,
    userId,
    secretHash: createHash('sha256').update(secret).digest(),
    createdAt: now,
    lastVerifiedAt: now,
  });
  return `slotcast_session=${sessionId}.${secret}`;
}
