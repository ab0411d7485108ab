/**
 * A share link was opened: count it and record a link event. The audit trail reads its "link opened" entries
 * from these events (DESIGN.md, "Audit trail"), so a view writes no audit row of its own.
 */
import { eq, sql } from 'drizzle-orm';
import { linkEvents, shareLinks } from '../../db/schema.ts';
import { newId } from '../crypto/random.ts';
import type { Db } from '../db.ts';
import type { Env } from '../env.ts';
import type { ResolvedLink } from './resolve.ts';

/** Meant to run after the answer (waitUntil), so a busy portal's reads stay fast. */
export async function recordLinkView(
  _env: Env,
  db: Db,
  { link }: ResolvedLink,
  _client: { ip: string; userAgent?: string },
  now: number,
): Promise<void> {
  await db.batch([
    db
      .update(shareLinks)
      .set({ accessCount: sql`${shareLinks.accessCount} + 1`, lastAccessedAt: now })
      .where(eq(shareLinks.id, link.id)),
    db
      .insert(linkEvents)
      .values({ id: newId(), shareLinkId: link.id, teacherId: link.teacherId, kind: 'view', at: now }),
  ]);
}
