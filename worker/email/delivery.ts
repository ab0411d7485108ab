/** Sends one outbox row: claim it, render, hand it to the provider, record the outcome. */
import { and, eq, lte, sql } from 'drizzle-orm';
import { emailOutbox } from '../../db/schema.ts';
import { isTemplateName, renderEmail, type TemplatePayloads } from '../../emails/index.ts';
import { auditStatement } from '../audit.ts';
import { getDb, type Db } from '../db.ts';
import type { Env } from '../env.ts';
import { openPayload } from './outbox.ts';
import { sendEmail, type SendResult } from './providers.ts';
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

/** Claims and sends one row at `now` (the consumer's clock): backoff and due times are measured from it. */
export async function deliverOutboxRow(env: Env, outboxId: string, now: number): Promise<DeliveryOutcome> {
  const db = getDb(env);
  // The claim is one conditional update: two consumers holding the same id can't both send it.
  const [row] = await db
    .update(emailOutbox)
    .set({ status: 'sending', attempts: sql`${emailOutbox.attempts} + 1`, updatedAt: now })
    .where(and(eq(emailOutbox.id, outboxId), eq(emailOutbox.status, 'queued'), lte(emailOutbox.nextAttemptAt, now)))
    .returning();
  if (!row) {
    const [current] = await db
      .select({ status: emailOutbox.status, nextAttemptAt: emailOutbox.nextAttemptAt })
      .from(emailOutbox)
      .where(eq(emailOutbox.id, outboxId));
    if (current?.status === 'queued')
      return { outcome: 'not_due', delaySeconds: Math.max(1, Math.ceil((current.nextAttemptAt - now) / 1000)) };
    return { outcome: 'skipped' };
  }
  let result: SendResult;
  try {
    if (!isTemplateName(row.template)) throw new Error(`unknown template ${row.template}`);
    const payload = (await openPayload(env, row.payloadSealed)) as TemplatePayloads[typeof row.template];
    const rendered = renderEmail(row.template, payload);
    result = await sendEmail(env, { ...rendered, to: row.recipient, outboxId: row.id });
  } catch (error) {
    return recordFailedSend(env, db, row, error, now);
  }
  try {
    await db.batch([
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
    return { outcome: 'sent' };
  } catch (error) {
    // The provider has the email, but the row still says `sending`. It is sent again later (the sweep finds
    // stuck rows, or the retry below), under the same outbox id: Resend drops the repeat by its Idempotency-Key;
    // over SMTP it carries the same Message-ID, so mail clients and the recipient can tell it is the same email.
    console.error(
      JSON.stringify({
        at: 'deliverOutboxRow',
        outboxId: row.id,
        sentButNotRecorded: true,
        error: describeError(error),
      }),
    );
    return recordFailedSend(env, db, row, new Error(`sent, but recording it failed: ${describeError(error)}`), now);
  }
}

/**
 * The trail's entry for an email's fate, in the trail of the teacher it concerns (sign-in emails concern no
 * teacher). Never the address or the content: the template, the attempt and the reason.
 */
function emailAudit(
  env: Env,
  db: Db,
  row: typeof emailOutbox.$inferSelect,
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
  row: typeof emailOutbox.$inferSelect,
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
