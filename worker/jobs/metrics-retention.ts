/**
 * Request metrics are kept for REQUEST_METRICS_RETENTION_DAYS (100 days; DESIGN.md, "Health the teacher can
 * see") and then deleted, at the cron's `scheduledTime`: longer than the longest period the health page and API
 * answer (92 days), so any period they offer is complete. In chunks like the audit purge, so one run never holds
 * the database long and a backlog drains over the next runs.
 */
import { lt, sql } from 'drizzle-orm';
import { requestMetrics } from '../../db/schema.ts';
import type { Db } from '../db.ts';

export const REQUEST_METRICS_RETENTION_DAYS = 100;
const RETENTION_MS = REQUEST_METRICS_RETENTION_DAYS * 24 * 60 * 60 * 1000;
const CHUNK = 2_000;
const MAX_CHUNKS_PER_RUN = 10;

export async function purgeExpiredRequestMetrics(db: Db, now: number): Promise<number> {
  const cutoff = now - RETENTION_MS;
  let purged = 0;
  for (let chunk = 0; chunk < MAX_CHUNKS_PER_RUN; chunk++) {
    // The table's key is (scope, teacher, minute); rowid names one row, and the minute index finds the old ones.
    const oldest = sql`SELECT rowid FROM ${requestMetrics} WHERE ${lt(requestMetrics.minute, cutoff)} LIMIT ${CHUNK}`;
    const deleted = await db
      .delete(requestMetrics)
      .where(sql`rowid IN (${oldest})`)
      .returning({ minute: requestMetrics.minute });
    purged += deleted.length;
    if (deleted.length < CHUNK) break;
  }
  return purged;
}
