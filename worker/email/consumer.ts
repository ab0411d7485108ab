import { shiftedNow } from '../clock.ts';
import type { EmailJob, Env } from '../env.ts';
import { describeForLog } from '../log/mask.ts';
import { deliverOutboxRow } from './delivery.ts';

/** Queue consumer: each message names one outbox row. Retries are driven by the row's backoff. */
export async function handleEmailBatch(batch: MessageBatch<EmailJob>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    try {
      const result = await deliverOutboxRow(env, message.body.outboxId, shiftedNow(env, message.body.clockShiftMs));
      if (result.outcome === 'retry' || result.outcome === 'not_due')
        message.retry({ delaySeconds: result.delaySeconds });
      else message.ack();
    } catch (error) {
      // The database itself failed: let the queue try again; the row stays as it was.
      console.error(JSON.stringify({ at: 'handleEmailBatch', error: describeForLog(error) }));
      message.retry({ delaySeconds: 30 });
    }
  }
}
