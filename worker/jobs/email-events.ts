/**
 * Consumer of the `slotcast-email-events` queue, where Cloudflare Email Service's event subscription publishes
 * what happened to sent emails. Bounces and complaints are recorded (students/email-problems.ts); other events
 * are acknowledged and dropped.
 */
import { getDb } from '../db.ts';
import { parseCloudflareEvent } from '../email/events.ts';
import type { EmailEventMessage, Env } from '../env.ts';
import { describeForLog } from '../log/mask.ts';
import { recordDeliveryProblem } from '../students/email-problems.ts';

export async function handleEmailEventBatch(batch: MessageBatch<EmailEventMessage>, env: Env, now: number) {
  const db = getDb(env);
  for (const message of batch.messages) {
    try {
      const problem = parseCloudflareEvent(message.body);
      if (problem) await recordDeliveryProblem(env, db, problem, now);
      message.ack();
    } catch (error) {
      // The database failed: the queue tries again later.
      console.error(JSON.stringify({ at: 'handleEmailEventBatch', error: describeForLog(error) }));
      message.retry({ delaySeconds: 30 });
    }
  }
}
