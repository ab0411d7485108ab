import { desc, inArray } from 'drizzle-orm';
import { shareLinks } from '../../db/schema.ts';
import type { Db } from '../db.ts';
import { linkSummary } from './state.ts';
import { openShareToken, shareUrl } from './tokens.ts';

export type ShareLinkRow = typeof shareLinks.$inferSelect;

/** The link as the teacher sees it, with its URL unsealed (none once revoked). */
export async function linkView(secretKey: string, appUrl: string, link: ShareLinkRow, now: number) {
  const summary = linkSummary(link, now);
  const url =
    summary.state === 'revoked'
      ? null
      : shareUrl(appUrl, link.teacherId, await openShareToken(secretKey, link.tokenSealed));
  return { ...summary, url };
}

/** The newest link of each student (active or not), so a list can show its state. */
export async function latestLinks(db: Db, studentIds: string[]): Promise<Map<string, ShareLinkRow>> {
  const latest = new Map<string, ShareLinkRow>();
  if (studentIds.length === 0) return latest;
  const rows = await db
    .select()
    .from(shareLinks)
    .where(inArray(shareLinks.studentId, studentIds))
    .orderBy(desc(shareLinks.createdAt));
  for (const row of rows) if (!latest.has(row.studentId)) latest.set(row.studentId, row);
  return latest;
}
