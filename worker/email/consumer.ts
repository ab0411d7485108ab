import { shiftedNow } from '../clock.ts';
import type { EmailJob, Env } from '../env.ts';
import { describeForLog } from '../log/mask.ts';
import { deliverOutboxRows, type DeliveryOutcome } from './delivery.ts';

/**
 * Queue consumer: each message names one outbox row; the batch's rows are claimed, sent and recorded together
 * (delivery.ts). Retries are driven by the row's backoff.
 */
export async function handleEmailBatch(batch: MessageBatch<EmailJob>, env: Env): Promise<void> {
  const messages = batch.messages;
  let outcomes: DeliveryOutcome[];
  try {
    outcomes = await deliverOutboxRows(
      env,
      messages.map((message) => ({
        outboxId: message.body.outboxId,
        now: shiftedNow(env, message.body.clockShiftMs),
      })),
    );
  } catch (error) {
    // The database itself failed: let the queue try again; the rows stay as they were (a claimed one is found
    // by the sweep).
    console.error(JSON.stringify({ at: 'handleEmailBatch', error: describeForLog(error) }));
    for (const message of messages) message.retry({ delaySeconds: 30 });
    return;
  }
  messages.forEach((message, i) => {
    const result = outcomes[i]!;
    if (result.outcome === 'retry' || result.outcome === 'not_due')
      message.retry({ delaySeconds: result.delaySeconds });
    else message.ack();
  });
}
