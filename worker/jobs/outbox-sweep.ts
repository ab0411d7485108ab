import { and, eq, lte } from 'drizzle-orm';
import { emailOutbox } from '../../db/schema.ts';
import { getDb } from '../db.ts';
import { enqueueOutbox } from '../email/outbox.ts';
import type { Env } from '../env.ts';

/** A queued row this far past due has lost its queue message. */
export const STALE_QUEUED_MS = 2 * 60 * 1000;
/** A row left in `sending` this long was interrupted mid-send. */
export const STUCK_SENDING_MS = 5 * 60 * 1000;

/** Cron job: re-enqueue outbox rows whose queue message was lost or whose send was interrupted. */
export async function sweepOutbox(env: Env, now: number): Promise<number> {
  const db = getDb(env);
  await db
    .update(emailOutbox)
    .set({ status: 'queued', updatedAt: now })
    .where(and(eq(emailOutbox.status, 'sending'), lte(emailOutbox.updatedAt, now - STUCK_SENDING_MS)));
  const stale = await db
    .select({ id: emailOutbox.id })
    .from(emailOutbox)
    .where(and(eq(emailOutbox.status, 'queued'), lte(emailOutbox.nextAttemptAt, now - STALE_QUEUED_MS)))
    .limit(500);
  await enqueueOutbox(
    env,
    stale.map((r) => r.id),
    now,
  );
  return stale.length;
}
