import type { Env } from '../env.ts';
import { describeForLog } from '../http/mask.ts';
import { deliverOutboxRow } from './delivery.ts';
import type { EmailJob } from './outbox.ts';

/** Queue consumer: each message names one outbox row. Retries are driven by the row's backoff. */
export async function handleEmailBatch(batch: MessageBatch<EmailJob>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    try {
      const result = await deliverOutboxRow(env, message.body.outboxId);
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
