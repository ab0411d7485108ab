/** The Slotcast Worker: HTTP API + static app, email queue consumer, cron jobs. */
import { app } from './app.ts';
import type { EmailJob, Env } from './env.ts';
import { handleEmailBatch } from './email/consumer.ts';
import { runScheduledJobs } from './jobs/index.ts';

export { TeacherCalendar } from './live/teacher-calendar.ts';

export default {
  fetch: app.fetch,
  async queue(batch: MessageBatch<EmailJob>, env: Env): Promise<void> {
    await handleEmailBatch(batch, env);
  },
  /** The trigger's time is the jobs' "now" (clock.ts); awaited, so a run by hand answers when they are done. */
  async scheduled(controller: ScheduledController, env: Env): Promise<void> {
    await runScheduledJobs(env, controller.scheduledTime);
  },
} satisfies ExportedHandler<Env, EmailJob>;
