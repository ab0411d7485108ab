/**
 * Audit entries are kept for AUDIT_RETENTION_DAYS (400 days; DESIGN.md, "Audit trail") and then deleted, at
 * the cron's `scheduledTime`. In chunks, so one run never holds the database long; a backlog (after an outage)
 * drains over the next runs.
 */
import { lt, sql } from 'drizzle-orm';
import { auditLog } from '../../db/schema.ts';
import type { Db } from '../db.ts';
import { AUDIT_RETENTION_MS } from '../teachers/audit-trail.ts';

const CHUNK = 2_000;
const MAX_CHUNKS_PER_RUN = 10;

export async function purgeExpiredAuditEntries(db: Db, now: number): Promise<number> {
  const cutoff = now - AUDIT_RETENTION_MS;
  let purged = 0;
  for (let chunk = 0; chunk < MAX_CHUNKS_PER_RUN; chunk++) {
    const deleted = await db
      .delete(auditLog)
      .where(
        sql`${auditLog.id} IN (${db.select({ id: auditLog.id }).from(auditLog).where(lt(auditLog.at, cutoff)).limit(CHUNK)})`,
      )
      .returning({ id: auditLog.id });
    purged += deleted.length;
    if (deleted.length < CHUNK) break;
  }
  return purged;
}
