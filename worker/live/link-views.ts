/**
 * Share-link views, counted without a database write per view. The portal hands each view to the teacher's
 * calendar object, which keeps it in its own storage (durable before the portal's call returns) and writes
 * the views it holds in one batch a few seconds later, when many are waiting, or when someone is about to read
 * the counts (DESIGN.md "Link views are buffered by the calendar object").
 *
 * The write is safe to repeat: each view's `link_events` id was chosen when the view
 * happened, the access count grows only by the views whose event isn't in the database yet, and the events go
 * in with `INSERT OR IGNORE`. An object that stops after the commit but before forgetting its buffer, or a
 * retry after a lost answer, writes each view once.
 */
import { sql } from 'drizzle-orm';
import { linkEvents, shareLinks } from '../../db/schema.ts';
import type { Db } from '../db.ts';
import type { LinkViewRecord } from '../env.ts';

/** Views written per batch; more wait for the next round of the same flush. */
export const FLUSH_BATCH_MAX = 500;
/** A buffer this full is written at once rather than at the end of the flush interval. */
export const FLUSH_WHEN_PENDING = 100;

/** The views waiting in one calendar object's own SQLite storage, oldest first. */
export class LinkViewBuffer {
  constructor(private readonly storage: SqlStorage) {
    storage.exec(
      'CREATE TABLE IF NOT EXISTS pending_link_views (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL)',
    );
  }

  add(view: LinkViewRecord): void {
    this.storage.exec(
      'INSERT OR IGNORE INTO pending_link_views (id, body) VALUES (?, ?)',
      view.id,
      JSON.stringify(view),
    );
  }

  get size(): number {
    return this.storage.exec<{ n: number }>('SELECT count(*) AS n FROM pending_link_views').one().n;
  }

  /** The oldest views, with the position to forget up to once they are written. */
  oldest(limit: number): { views: LinkViewRecord[]; upTo: number } {
    const rows = this.storage
      .exec<{ seq: number; body: string }>('SELECT seq, body FROM pending_link_views ORDER BY seq LIMIT ?', limit)
      .toArray();
    return { views: rows.map((r) => JSON.parse(r.body) as LinkViewRecord), upTo: rows.at(-1)?.seq ?? 0 };
  }

  /** Forgets the views written; views added meanwhile have a later position and stay. */
  forget(upTo: number): void {
    this.storage.exec('DELETE FROM pending_link_views WHERE seq <= ?', upTo);
  }
}

/**
 * One batch: each link's access count and last access, its `link_events` rows (one per view, at the view's own
 * time). The audit trail reads its "link opened" entries from these events, so a view writes no audit row
 * (DESIGN.md, "Audit trail"). Views of a link that no longer exists (its student was removed meanwhile)
 * are dropped; a link of another teacher is never touched.
 */
export async function writeLinkViews(db: Db, teacherId: string, views: LinkViewRecord[]): Promise<void> {
  if (views.length === 0) return;
  const list = JSON.stringify(views.map((v) => ({ id: v.id, link: v.linkId, at: v.at })));
  const viewsOf = sql`json_each(${list}) v WHERE json_extract(v.value, '$.link') = ${shareLinks}.id`;
  // The update runs before the insert: it counts only the views whose event the insert has yet to write.
  const update = db.run(sql`UPDATE ${shareLinks} SET
      access_count = access_count + (SELECT count(*) FROM ${viewsOf}
        AND NOT EXISTS (SELECT 1 FROM ${linkEvents} e WHERE e.id = json_extract(v.value, '$.id'))),
      last_accessed_at = max(coalesce(last_accessed_at, 0), (SELECT max(json_extract(v.value, '$.at')) FROM ${viewsOf}))
    WHERE teacher_id = ${teacherId} AND id IN (SELECT json_extract(value, '$.link') FROM json_each(${list}))`);
  const insert = db.run(sql`INSERT OR IGNORE INTO ${linkEvents} (id, share_link_id, teacher_id, kind, at)
    SELECT json_extract(v.value, '$.id'), json_extract(v.value, '$.link'), ${teacherId}, 'view', json_extract(v.value, '$.at')
    FROM json_each(${list}) v
    WHERE EXISTS (SELECT 1 FROM ${shareLinks} l WHERE l.id = json_extract(v.value, '$.link') AND l.teacher_id = ${teacherId})`);
  await db.batch([update, insert]);
}
