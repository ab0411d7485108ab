/**
 * The cron jobs. `scheduled()` runs every job at the trigger's time (`controller.scheduledTime`), and in test
 * mode the same dispatcher runs at a request's X-Slotcast-Now (routes/test-clock.ts). A new job is one more entry
 * here: it receives `now` and never reads the wall clock itself.
 */
import { pruneWriteReceipts } from '../db.ts';
import type { Env } from '../env.ts';
import { describeForLog } from '../log/mask.ts';
import { sweepOutbox } from './outbox-sweep.ts';
import { getDb } from '../db.ts';
import { queueDueReminders } from '../reminders/queue.ts';
import { purgeExpiredAuditEntries } from './audit-retention.ts';
import { purgeExpiredRequestMetrics } from './metrics-retention.ts';

export interface JobResult {
  job: string;
  /** What the job did, for the log line: counts only, never an address or a token. */
  result: Record<string, number>;
}

const JOBS: Record<string, (env: Env, now: number) => Promise<Record<string, number>>> = {
  outboxSweep: async (env, now) => ({ requeued: await sweepOutbox(env, now) }),
  writeReceiptsPrune: async (env, now) => ({ pruned: await pruneWriteReceipts(env, now) }),
  /** Session reminders whose moment has come (worker/reminders/). */
  reminders: async (env, now) => ({ queued: await queueDueReminders(env, getDb(env), now) }),
  /** Audit entries past the retention period (jobs/audit-retention.ts). */
  auditRetention: async (env, now) => ({ purged: await purgeExpiredAuditEntries(getDb(env), now) }),
  /** Request metrics past their retention period (jobs/metrics-retention.ts). */
  metricsRetention: async (env, now) => ({ purged: await purgeExpiredRequestMetrics(getDb(env), now) }),
};

/** Runs every job at `now`; one job failing doesn't stop the others. */
export async function runScheduledJobs(env: Env, now: number): Promise<JobResult[]> {
  const results: JobResult[] = [];
  for (const [job, run] of Object.entries(JOBS)) {
    try {
      const result = await run(env, now);
      results.push({ job, result });
      if (Object.values(result).some((n) => n > 0)) console.log(JSON.stringify({ at: 'cron', job, ...result }));
    } catch (error) {
      console.error(JSON.stringify({ at: 'cron', job, error: describeForLog(error) }));
    }
  }
  return results;
}
