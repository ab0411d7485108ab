/**
 * Changing a link's expiry and booking limit in place: the same token (the student keeps the link they have),
 * a new end and a new limit. One batch with its audit entry, which records old → new.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { shareLinks, type Teacher } from '../../db/schema.ts';
import { HOUR_MS } from '../../shared/student-panel.ts';
import { auditStatement } from '../audit.ts';
import type { Db } from '../db.ts';
import { config, type Env } from '../env.ts';
import { DomainError } from '../errors.ts';
import { findStudent } from '../students/find.ts';
import { latestLinks, linkView } from './view.ts';

export interface LinkChanges {
  /** From now; the route bounds it to an hour … a year. */
  expiresInHours?: number;
  /** `null`: no limit. */
  maxUses?: number | null;
}

/**
 * Sets the expiry and/or booking limit of the student's newest link. A revoked link stays revoked (create a new
 * one instead); an expired or used-up link works again when its new expiry or limit allows.
 */
export async function changeLinkSettings(
  env: Env,
  db: Db,
  teacher: Teacher,
  studentId: string,
  changes: LinkChanges,
  client: { ip: string; userAgent?: string },
  now: number,
) {
  const student = await findStudent(db, teacher.id, studentId);
  const link = (await latestLinks(db, [student.id])).get(student.id);
  if (!link || link.revokedAt !== null)
    throw new DomainError('no_active_link', 409, `${student.name} has no link to change. Create one first.`);
  if (changes.maxUses != null && changes.maxUses < link.useCount)
    throw new DomainError(
      'invalid_request',
      400,
      `${student.name} has already booked ${link.useCount} times through this link: allow at least ${link.useCount}.`,
      { details: { issues: [{ path: 'maxUses', message: `Allow at least ${link.useCount}.` }] } },
    );
  const next = {
    expiresAt: changes.expiresInHours === undefined ? link.expiresAt : now + changes.expiresInHours * HOUR_MS,
    maxUses: changes.maxUses === undefined ? link.maxUses : changes.maxUses,
  };
  const [updated] = await db.batch([
    db
      .update(shareLinks)
      .set(next)
      // Still the same live link: a revoke or regeneration in between wins.
      .where(and(eq(shareLinks.id, link.id), isNull(shareLinks.revokedAt)))
      .returning(),
    auditStatement(
      db,
      env,
      {
        actorType: 'teacher',
        actorId: teacher.id,
        action: 'share_link.changed',
        targetType: 'share_link',
        targetId: link.id,
        teacherId: teacher.id,
        studentId: student.id,
        ip: client.ip,
        userAgent: client.userAgent,
        changes: {
          expiresAt: { from: link.expiresAt, to: next.expiresAt },
          maxUses: { from: link.maxUses, to: next.maxUses },
        },
      },
      now,
    ),
  ]);
  if (!updated[0]) throw new DomainError('no_active_link', 409, `${student.name}’s link was just replaced or revoked.`);
  const { SECRET_KEY, APP_URL } = config(env);
  return linkView(SECRET_KEY, APP_URL, updated[0], now);
}
