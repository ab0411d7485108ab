/** The Slotcast Worker: HTTP API + static app, email queue consumer, outbox sweep cron. */
import { app } from './app.ts';
import type { Env } from './env.ts';
import { handleEmailBatch } from './email/consumer.ts';
import type { EmailJob } from './email/outbox.ts';
import { sweepOutbox } from './email/sweep.ts';
import { pruneWriteReceipts } from './db.ts';

export { TeacherCalendar } from './live/teacher-calendar.ts';
export { BenchRoom } from './live/bench-room.ts';

export default {
  fetch: app.fetch,
  async queue(batch: MessageBatch<EmailJob>, env: Env): Promise<void> {
    await handleEmailBatch(batch, env);
  },
  async scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
    ctx.waitUntil(
      sweepOutbox(env).then(
        (count) => count > 0 && console.log(JSON.stringify({ at: 'sweepOutbox', requeued: count })),
      ),
    );
    ctx.waitUntil(pruneWriteReceipts(env));
  },
} satisfies ExportedHandler<Env, EmailJob>;
