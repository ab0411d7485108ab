/** A teacher changes their settings: one batch with the audit entry that holds each changed value, old → new. */
import { eq } from 'drizzle-orm';
import { teachers, type Teacher } from '../../db/schema.ts';
import { auditStatement, changesBetween } from '../audit.ts';
import type { Db } from '../db.ts';
import type { Env } from '../env.ts';

export type SettingsChanges = Partial<Omit<typeof teachers.$inferInsert, 'id' | 'calendarVersion' | 'createdAt'>>;

export async function updateSettings(env: Env, db: Db, teacher: Teacher, input: SettingsChanges, now: number) {
  const changes = changesBetween(teacher as unknown as Record<string, unknown>, input);
  const [[updated]] = await db.batch([
    db
      .update(teachers)
      .set({ ...input, updatedAt: now })
      .where(eq(teachers.id, teacher.id))
      .returning(),
    // Saving what was already there changes nothing: the entry is only for a real change.
    ...(Object.keys(changes).length === 0
      ? []
      : [
          auditStatement(
            db,
            env,
            {
              actorType: 'teacher',
              actorId: teacher.id,
              action: 'settings.changed',
              targetType: 'teacher',
              targetId: teacher.id,
              teacherId: teacher.id,
              changes,
            },
            now,
          ),
        ]),
  ]);
  return updated!;
}
