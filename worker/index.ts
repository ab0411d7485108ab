/** The Slotcast Worker: HTTP API + static app, email queue consumer, cron jobs. */
import { app } from './app.ts';
import type { EmailEventMessage, EmailJob, Env } from './env.ts';
import { handleEmailBatch } from './email/consumer.ts';
import { handleEmailEventBatch } from './jobs/email-events.ts';
import { runScheduledJobs } from './jobs/index.ts';
import { systemNow } from './clock.ts';

export { TeacherCalendar } from './live/teacher-calendar.ts';

export default {
  fetch: app.fetch,
  async queue(batch: MessageBatch<EmailJob | EmailEventMessage>, env: Env): Promise<void> {
    // Two queues: the outbox's own, and the provider's delivery events (bounces, complaints).
    if (batch.queue === 'slotcast-email-events') await handleEmailEventBatch(batch, env, systemNow());
    else await handleEmailBatch(batch as MessageBatch<EmailJob>, env);
  },
  /** The trigger's time is the jobs' "now" (clock.ts); awaited, so a run by hand answers when they are done. */
  async scheduled(controller: ScheduledController, env: Env): Promise<void> {
    await runScheduledJobs(env, controller.scheduledTime);
  },
} satisfies ExportedHandler<Env, EmailJob | EmailEventMessage>;
