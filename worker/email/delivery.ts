/** Sends outbox rows: claim them, render, hand them to the provider, record the outcomes. */
import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import { emailOutbox } from '../../db/schema.ts';
import { isTemplateName, renderEmail, type TemplatePayloads } from '../../emails/index.ts';
import { auditStatement } from '../audit.ts';
import { getDb, type Db } from '../db.ts';
import { WriteAnswerLost } from '../db-retry.ts';
import type { Env } from '../env.ts';
import { openPayload } from './outbox.ts';
import { emailSender, type SendResult } from './providers.ts';
import { failureKind } from './failure-kind.ts';
import { describeForLog } from '../log/mask.ts';

export const MAX_ATTEMPTS = 8;
const BACKOFF_SECONDS = [10, 30, 120, 300, 900, 1800, 3600];

/** Seconds to wait after the given number of failed attempts. */
export const backoffSeconds = (attempts: number) =>
  BACKOFF_SECONDS[Math.min(attempts - 1, BACKOFF_SECONDS.length - 1)] ?? 3600;

export type DeliveryOutcome =
  | { outcome: 'sent' }
  | { outcome: 'retry'; delaySeconds: number }
  | { outcome: 'failed' }
  /** Already sent, already claimed by another consumer, or gone. */
  | { outcome: 'skipped' }
  | { outcome: 'not_due'; delaySeconds: number };

/** One queue message's row and the consumer's clock for it: backoff and due times are measured from `now`. */
export interface DeliveryJob {
  outboxId: string;
  now: number;
}

type OutboxRow = typeof emailOutbox.$inferSelect;

/**
 * Claims and sends the rows of one queue batch, answering an outcome per job, in order. Per batch, not per
 * email (DESIGN.md, "Cost per request"): the rows are claimed in one statement, sent over one connection
 * (providers.ts `emailSender`), and every sent row is recorded in one write batch; a refused or failed send
 * is recorded on its own, as before. Each row is still claimed by its own condition, so two consumers holding
 * the same id can't both send it, and a job whose row was already claimed (a duplicate message) is skipped.
 */
export async function deliverOutboxRows(env: Env, jobs: DeliveryJob[]): Promise<DeliveryOutcome[]> {
  const db = getDb(env);
  const outcomes: DeliveryOutcome[] = jobs.map(() => ({ outcome: 'skipped' }));
  const claimed: { index: number; row: OutboxRow; now: number }[] = [];
  // In production every message of a batch has the same clock; a test may shift some (clock.ts).
  const byNow = new Map<number, { outboxId: string; index: number }[]>();
  jobs.forEach(({ outboxId, now }, index) => {
    const group = byNow.get(now) ?? [];
    group.push({ outboxId, index });
    byNow.set(now, group);
  });
  for (const [now, group] of byNow) {
    const ids = [...new Set(group.map((job) => job.outboxId))];
    // The claim is one conditional update: two consumers holding the same id can't both send it.
    const rows = await db
      .update(emailOutbox)
      .set({ status: 'sending', attempts: sql`${emailOutbox.attempts} + 1`, updatedAt: now })
      .where(and(inArray(emailOutbox.id, ids), eq(emailOutbox.status, 'queued'), lte(emailOutbox.nextAttemptAt, now)))
      .returning();
    const rowById = new Map(rows.map((row) => [row.id, row]));
    const unclaimed = group.filter((job) => !rowById.has(job.outboxId));
    for (const job of group) {
      const row = rowById.get(job.outboxId);
      if (!row) continue;
      // A second message for the same row is skipped: the first one sends it.
      rowById.delete(job.outboxId);
      claimed.push({ index: job.index, row, now });
    }
    if (unclaimed.length === 0) continue;
    const current = await db
      .select({ id: emailOutbox.id, status: emailOutbox.status, nextAttemptAt: emailOutbox.nextAttemptAt })
      .from(emailOutbox)
      .where(inArray(emailOutbox.id, [...new Set(unclaimed.map((job) => job.outboxId))]));
    const currentById = new Map(current.map((row) => [row.id, row]));
    for (const job of unclaimed) {
      const row = currentById.get(job.outboxId);
      if (row?.status === 'queued')
        outcomes[job.index] = {
          outcome: 'not_due',
          delaySeconds: Math.max(1, Math.ceil((row.nextAttemptAt - now) / 1000)),
        };
    }
  }
  if (claimed.length === 0) return outcomes;

  const sender = emailSender(env);
  const sent: Sent[] = [];
  const refused: { index: number; row: OutboxRow; now: number; error: unknown }[] = [];
  try {
    for (const { index, row, now } of claimed) {
      try {
        if (!isTemplateName(row.template)) throw new Error(`unknown template ${row.template}`);
        const payload = (await openPayload(env, row.payloadSealed)) as TemplatePayloads[typeof row.template];
        const rendered = renderEmail(row.template, payload);
        sent.push({ index, row, now, result: await sender.send({ ...rendered, to: row.recipient, outboxId: row.id }) });
      } catch (error) {
        refused.push({ index, row, now, error });
      }
    }
  } finally {
    await sender.close();
  }
  // What went out is recorded first, so a database failure while recording a refusal can't leave a sent row
  // unrecorded.
  if (sent.length > 0) await recordSent(env, db, sent, outcomes);
  for (const { index, row, now, error } of refused) outcomes[index] = await recordFailedSend(env, db, row, error, now);
  return outcomes;
}

interface Sent {
  index: number;
  row: OutboxRow;
  now: number;
  result: SendResult;
}

/** Every sent row of the batch marked sent, with its audit entry, in one write batch. */
async function recordSent(env: Env, db: Db, sent: Sent[], outcomes: DeliveryOutcome[]): Promise<void> {
  const records = sent.flatMap(({ row, now, result }) => [
    db
      .update(emailOutbox)
      .set({
        status: 'sent',
        provider: result.provider,
        providerMessageId: result.providerMessageId,
        sentAt: now,
        lastError: null,
        updatedAt: now,
      })
      .where(eq(emailOutbox.id, row.id)),
    emailAudit(env, db, row, 'email.sent', { provider: result.provider }, now),
  ]);
  try {
    await db.batch(records as [(typeof records)[number], ...typeof records]);
    for (const { index } of sent) outcomes[index] = { outcome: 'sent' };
  } catch (error) {
    // Committed, only the answer was lost (its receipt says so): the rows say `sent`.
    if (error instanceof WriteAnswerLost) {
      for (const { index } of sent) outcomes[index] = { outcome: 'sent' };
      return;
    }
    // The provider has the emails, but their rows still say `sending`. Each is sent again later (the sweep finds
    // stuck rows, or the retry below), under the same outbox id: Resend drops the repeat by its Idempotency-Key;
    // over SMTP it carries the same Message-ID, so mail clients and the recipient can tell it is the same email.
    for (const { index, row, now } of sent) {
      console.error(
        JSON.stringify({
          at: 'deliverOutboxRow',
          outboxId: row.id,
          sentButNotRecorded: true,
          error: describeError(error),
        }),
      );
      outcomes[index] = await recordFailedSend(
        env,
        db,
        row,
        new Error(`sent, but recording it failed: ${describeError(error)}`),
        now,
      );
    }
  }
}

/**
 * The trail's entry for an email's fate, in the trail of the teacher it concerns (sign-in emails concern no
 * teacher). Never the address or the content: the template, the attempt and the reason.
 */
function emailAudit(
  env: Env,
  db: Db,
  row: OutboxRow,
  action: 'email.sent' | 'email.failed',
  details: Record<string, unknown>,
  now: number,
) {
  return auditStatement(
    db,
    env,
    {
      actorType: 'system',
      action,
      targetType: 'email',
      targetId: row.id,
      teacherId: row.teacherId,
      studentId: row.studentId,
      details: { template: row.template, attempt: row.attempts, ...details },
    },
    now,
  );
}

async function recordFailedSend(
  env: Env,
  db: Db,
  row: OutboxRow,
  error: unknown,
  now: number,
): Promise<DeliveryOutcome> {
  const lastError = describeError(error);
  // A permanent refusal (SMTP 5xx, a provider's validation error) fails at once: retrying can't change it.
  const failed = row.attempts >= MAX_ATTEMPTS || failureKind(error) === 'permanent';
  const delaySeconds = backoffSeconds(row.attempts);
  const update = db
    .update(emailOutbox)
    .set({
      status: failed ? 'failed' : 'queued',
      lastError,
      nextAttemptAt: now + delaySeconds * 1000,
      updatedAt: now,
    })
    .where(eq(emailOutbox.id, row.id));
  // A retry is not an entry of its own: the trail says when an email finally went out or finally failed.
  if (failed) await db.batch([update, emailAudit(env, db, row, 'email.failed', { reason: lastError }, now)]);
  else await update;
  console.warn(
    JSON.stringify({ at: 'deliverOutboxRow', outboxId: row.id, attempt: row.attempts, failed, error: lastError }),
  );
  return failed ? { outcome: 'failed' } : { outcome: 'retry', delaySeconds };
}

/** Provider errors can echo the message; keep the first line, short, so no link ends up stored twice. */
function describeError(error: unknown): string {
  return describeForLog(error)
    .replace(/https?:\/\/\S+/g, '[url]')
    .slice(0, 300);
}
