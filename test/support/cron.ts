/**
 * Runs the Worker's cron jobs by hand, as `wrangler dev --test-scheduled` lets a developer do. The stack answers
 * once the scheduled handler has finished. `at` is for the test clock (/work/notes/clock.md): the jobs then run
 * at that instant, once the stack honours it (until then the Worker's own clock is used).
 */
import { expect } from 'vitest';
import { epochMs, NOW_HEADER, type InstantLike } from './client.ts';
import { appUrl } from './stack.ts';

export async function runCron(options: { at?: InstantLike; baseUrl?: string } = {}): Promise<void> {
  const base = options.baseUrl ?? appUrl();
  const time = options.at === undefined ? '' : `&time=${epochMs(options.at)}`;
  const response = await fetch(`${base}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*${time}`, {
    headers: options.at === undefined ? {} : { [NOW_HEADER]: String(epochMs(options.at)) },
  });
  expect(response.ok, `the cron run answered ${response.status}`).toBe(true);
}
