/**
 * "Create links for every student without one": one request, one batch. Each link is inserted only if its
 * student still has no link at all when the batch runs, and its audit entry only if its link went in, so two
 * clicks racing (or a link made meanwhile from the student's row) never give a student a second live link.
 * Like a single link's creation, this sends no email: the teacher emails links from each row.
 */
import { and, eq, notExists, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { shareLinks, students, type Teacher } from '../../db/schema.ts';
import { HOUR_MS } from '../../shared/student-panel.ts';
import { auditStatementWhen } from '../audit.ts';
import { newId } from '../crypto/random.ts';
import type { Db } from '../db.ts';
import type { Env } from '../env.ts';
import { newShareToken } from './tokens.ts';

/** At most this many links in one batch; the answer says how many students still wait. */
export const BULK_LINK_LIMIT = 500;

const existing = alias(shareLinks, 'existing');

/** Students of the teacher who have never had a link (a revoked or expired one counts as having one). */
function studentsWithoutLink(db: Db, teacherId: string) {
  return db
    .select({ id: students.id })
    .from(students)
    .where(
      and(
        eq(students.teacherId, teacherId),
        notExists(
          db
            .select({ one: sql`1` })
            .from(existing)
            .where(eq(existing.studentId, students.id)),
        ),
      ),
    )
    .orderBy(students.name);
}

/** The link's insert, a no-op if the student got a link (or was removed) since the read. */
function insertIfStillWithout(db: Db, link: typeof shareLinks.$inferInsert) {
  const value = <T>(v: T, column: string) => sql<T>`${v}`.as(column);
  return db.insert(shareLinks).select(
    db
      .select({
        id: value(link.id, 'id'),
        teacherId: value(link.teacherId, 'teacher_id'),
        studentId: students.id,
        tokenHash: value(link.tokenHash, 'token_hash'),
        tokenSealed: value(link.tokenSealed, 'token_sealed'),
        expiresAt: value(link.expiresAt, 'expires_at'),
        maxUses: value(link.maxUses ?? null, 'max_uses'),
        useCount: value(0, 'use_count'),
        accessCount: value(0, 'access_count'),
        lastAccessedAt: value(null, 'last_accessed_at'),
        revokedAt: value(null, 'revoked_at'),
        createdAt: value(link.createdAt, 'created_at'),
      })
      .from(students)
      .where(
        and(
          eq(students.id, link.studentId),
          eq(students.teacherId, link.teacherId),
          notExists(
            db
              .select({ one: sql`1` })
              .from(existing)
              .where(eq(existing.studentId, students.id)),
          ),
        ),
      ),
  );
}

/** Creates a link for each student who has none. Returns how many were made and how many still wait. */
export async function issueMissingLinks(
  env: Env,
  db: Db,
  teacher: Teacher,
  options: { expiresInHours?: number; maxUses?: number | null; ip: string; userAgent?: string },
  now: number,
  secretKey: string,
) {
  const waiting = await studentsWithoutLink(db, teacher.id);
  const batchOf = waiting.slice(0, BULK_LINK_LIMIT);
  if (batchOf.length === 0) return { created: 0, remaining: 0 };
  const expiresAt = now + (options.expiresInHours ?? teacher.defaultLinkDays * 24) * HOUR_MS;
  const statements = await Promise.all(
    batchOf.map(async ({ id: studentId }) => {
      const { tokenHash, tokenSealed } = await newShareToken(secretKey);
      const link = {
        id: newId(),
        teacherId: teacher.id,
        studentId,
        tokenHash,
        tokenSealed,
        expiresAt,
        maxUses: options.maxUses ?? null,
        createdAt: now,
      };
      // The entry only if its link went in (the statement before it in the batch).
      const audit = auditStatementWhen(
        db,
        env,
        {
          actorType: 'teacher',
          actorId: teacher.id,
          action: 'share_link.created',
          targetType: 'share_link',
          targetId: link.id,
          teacherId: teacher.id,
          studentId,
          ip: options.ip,
          userAgent: options.userAgent,
          details: { replaced: [], bulk: true },
        },
        now,
        sql`EXISTS (SELECT 1 FROM ${shareLinks} WHERE ${shareLinks.id} = ${link.id} AND ${shareLinks.revokedAt} IS NULL)`,
      );
      return [insertIfStillWithout(db, link), audit] as const;
    }),
  );
  const [first, ...rest] = statements.flat();
  const results = await db.batch([first!, ...rest]);
  // Every second statement is a link's insert; its rowsAffected says whether it went in.
  const created = results.filter((r, i) => i % 2 === 0 && (r as { rowsAffected: number }).rowsAffected > 0).length;
  return { created, remaining: waiting.length - batchOf.length };
}
