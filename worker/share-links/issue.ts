/**
 * A teacher's share links: issue (or regenerate: older links stop working at once, their sockets close),
 * revoke, and email the current one through the outbox. Each write is one batch with its audit entry.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { emailOutbox, shareLinks, type Teacher } from '../../db/schema.ts';
import { DAY_MS, HOUR_MS } from '../../shared/student-panel.ts';
import { auditStatement } from '../audit.ts';
import { newId } from '../crypto/random.ts';
import type { Db } from '../db.ts';
import { withinEmailLimits } from '../email/limits.ts';
import { enqueueOutbox, outboxValues } from '../email/outbox.ts';
import { config, type Env } from '../env.ts';
import { DomainError } from '../errors.ts';
import { endLiveCredential } from '../live/publish.ts';
import { findStudent } from '../students/find.ts';
import { linkSummary } from './state.ts';
import { newShareToken, openShareToken, shareUrl } from './tokens.ts';
import { latestLinks, linkView } from './view.ts';

/** Revokes every live link of a student and closes the sockets opened with them. */
export async function revokeStudentLinks(env: Env, db: Db, teacherId: string, studentId: string, now: number) {
  const revoked = await db
    .update(shareLinks)
    .set({ revokedAt: now })
    .where(and(eq(shareLinks.studentId, studentId), eq(shareLinks.teacherId, teacherId), isNull(shareLinks.revokedAt)))
    .returning({ id: shareLinks.id });
  await Promise.all(revoked.map((r) => endLiveCredential(env, teacherId, { kind: 'link', id: r.id }, 'link_revoked')));
  return revoked.map((r) => r.id);
}

/** The student's newest link as the teacher sees it, or null. */
export async function currentLink(env: Env, db: Db, teacher: Teacher, studentId: string, now: number) {
  const student = await findStudent(db, teacher.id, studentId);
  const link = (await latestLinks(db, [student.id])).get(student.id);
  const { SECRET_KEY, APP_URL } = config(env);
  return link ? linkView(SECRET_KEY, APP_URL, link, now) : null;
}

/** Creates the student's link, or regenerates it: any older link stops working at once. */
export async function issueLink(
  env: Env,
  db: Db,
  teacher: Teacher,
  studentId: string,
  options: { expiresInDays?: number; expiresInHours?: number; maxUses?: number | null; ip: string },
  now: number,
) {
  const student = await findStudent(db, teacher.id, studentId);
  const { SECRET_KEY, APP_URL } = config(env);
  const revoked = await revokeStudentLinks(env, db, teacher.id, student.id, now);
  const { tokenHash, tokenSealed } = await newShareToken(SECRET_KEY);
  const link = {
    id: newId(),
    teacherId: teacher.id,
    studentId: student.id,
    tokenHash,
    tokenSealed,
    expiresAt:
      now +
      (options.expiresInHours !== undefined
        ? options.expiresInHours * HOUR_MS
        : (options.expiresInDays ?? teacher.defaultLinkDays) * DAY_MS),
    maxUses: options.maxUses ?? null,
    useCount: 0,
    accessCount: 0,
    lastAccessedAt: null,
    revokedAt: null,
    createdAt: now,
  };
  const action = revoked.length > 0 ? 'share_link.regenerated' : 'share_link.created';
  await db.batch([
    db.insert(shareLinks).values(link),
    auditStatement(
      db,
      env,
      {
        actorType: 'teacher',
        actorId: teacher.id,
        action,
        targetType: 'share_link',
        targetId: link.id,
        teacherId: teacher.id,
        studentId: student.id,
        ip: options.ip,
        details: { replaced: revoked, expiresAt: link.expiresAt, maxUses: link.maxUses },
      },
      now,
    ),
  ]);
  return linkView(SECRET_KEY, APP_URL, link, now);
}

/** Revokes the student's live links; refused when there is none. Returns the revoked ids. */
export async function revokeLink(env: Env, db: Db, teacher: Teacher, studentId: string, now: number) {
  const student = await findStudent(db, teacher.id, studentId);
  const revoked = await revokeStudentLinks(env, db, teacher.id, student.id, now);
  if (revoked.length === 0)
    throw new DomainError('no_active_link', 409, `${student.name} has no active link to revoke.`);
  await auditStatement(
    db,
    env,
    {
      actorType: 'teacher',
      actorId: teacher.id,
      action: 'share_link.revoked',
      targetType: 'share_link',
      targetId: revoked[0]!,
      teacherId: teacher.id,
      studentId: student.id,
      details: { revoked },
    },
    now,
  );
  return revoked;
}

/** Emails the student their current link, through the outbox. Returns the address it goes to. */
export async function emailLink(env: Env, db: Db, teacher: Teacher, studentId: string, now: number) {
  const student = await findStudent(db, teacher.id, studentId);
  const link = (await latestLinks(db, [student.id])).get(student.id);
  const { SECRET_KEY, APP_URL } = config(env);
  if (!link || linkSummary(link, now).state !== 'active')
    throw new DomainError('no_active_link', 409, `${student.name} has no active link. Create one first.`);
  const outbox = await outboxValues(
    env,
    {
      recipient: student.email,
      template: 'share-link',
      payload: {
        studentName: student.name,
        teacherName: teacher.displayName,
        link: shareUrl(APP_URL, teacher.id, await openShareToken(SECRET_KEY, link.tokenSealed)),
        expiresAt: link.expiresAt,
        timeZone: teacher.timeZone,
      },
      teacherId: teacher.id,
      studentId: student.id,
    },
    now,
  );
  // The database refuses the outbox row past the daily limits (migration 0004); that becomes a 429.
  await withinEmailLimits(db, { teacherId: teacher.id, recipient: student.email, now }).batch([
    db.insert(emailOutbox).values(outbox),
    auditStatement(
      db,
      env,
      {
        actorType: 'teacher',
        actorId: teacher.id,
        action: 'share_link.emailed',
        targetType: 'share_link',
        targetId: link.id,
        teacherId: teacher.id,
        studentId: student.id,
      },
      now,
    ),
  ]);
  await enqueueOutbox(env, [outbox.id], now);
  return { recipient: student.email };
}
