/** A share link was opened: count it, record a link event, and audit it at most hourly per link. */
import { eq, sql } from 'drizzle-orm';
import { auditLog, linkEvents, shareLinks } from '../../db/schema.ts';
import { auditValues } from '../audit.ts';
import { newId } from '../crypto/random.ts';
import type { Db } from '../db.ts';
import type { Env } from '../env.ts';
import type { ResolvedLink } from './resolve.ts';

const HOUR_MS = 60 * 60 * 1000;

/** Meant to run after the answer (waitUntil), so a busy portal's reads stay fast. */
export async function recordLinkView(
  env: Env,
  db: Db,
  { link }: ResolvedLink,
  client: { ip: string; userAgent?: string },
  now: number,
): Promise<void> {
  const audit = link.lastAccessedAt === null || now - link.lastAccessedAt > HOUR_MS;
  const writes = [
    db
      .update(shareLinks)
      .set({ accessCount: sql`${shareLinks.accessCount} + 1`, lastAccessedAt: now })
      .where(eq(shareLinks.id, link.id)),
    db
      .insert(linkEvents)
      .values({ id: newId(), shareLinkId: link.id, teacherId: link.teacherId, kind: 'view', at: now }),
  ] as const;
  if (!audit) {
    await db.batch(writes);
    return;
  }
  await db.batch([
    ...writes,
    db.insert(auditLog).values(
      await auditValues(
        env,
        {
          actorType: 'share_link',
          actorId: link.id,
          action: 'share_link.accessed',
          targetType: 'share_link',
          targetId: link.id,
          ip: client.ip,
          userAgent: client.userAgent,
        },
        now,
      ),
    ),
  ]);
}
