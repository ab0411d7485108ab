/**
 * The one clock (worker/clock.ts): on the test stack a request's `X-Slotcast-Now` is the time every decision
 * of that request uses, cron runs take the trigger's time, and a stack not started for tests refuses the header.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../../db/schema.ts';
import type { Stack } from '../../scripts/stack.ts';
import { startOwnStack, stopOwnStack, type OwnStack } from '../support/own-stack.ts';
import { until } from '../support/until.ts';
import { testClient } from '../support/client.ts';
import { db } from '../support/database.ts';
import { refusedUpgradeStatus } from '../support/live.ts';
import { emailsTo } from '../support/mailbox.ts';
import { givenStudent, givenTeacher } from '../support/scenario.ts';
import { appUrl, uniqueEmail, uniqueIp } from '../support/stack.ts';

const DAY = 24 * 60 * 60 * 1000;
const at = (instant: number) => ({ 'x-slotcast-now': String(instant) });

const outboxFor = async (email: string) =>
  (await db().select().from(schema.emailOutbox).where(eq(schema.emailOutbox.recipient, email)))[0]!;

/** A sign-in email that was sent, whose row is then put back as queued and due at `nextAttemptAt`, unsent. */
async function givenUnsentOutboxRow(label: string, nextAttemptAt: number) {
  const email = uniqueEmail(label);
  await testClient({ ip: uniqueIp() }).post('/api/auth/magic-link', { email });
  const row = await until(
    () => outboxFor(email),
    (r) => r.status === 'sent',
  );
  await db()
    .update(schema.emailOutbox)
    .set({ status: 'queued', attempts: 0, sentAt: null, nextAttemptAt })
    .where(eq(schema.emailOutbox.id, row.id));
  return { email, sentSoFar: (await emailsTo(email)).length };
}

describe('X-Slotcast-Now on the test stack', () => {
  it('moves time for a decision: a link that lasts a day is expired two days later', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher, { expiresInDays: 1 });
    const now = Date.now();

    expect((await student.portal.calendar()).status).toBe(200);
    const later = await testClient({ ip: uniqueIp(), now: now + 2 * DAY }).get(
      `/api/booking/${student.token}/calendar`,
    );
    expect(later.status).toBe(410);
    expect(later.body.error.code).toBe('link_expired');

    // The teacher sees the same link expired at that time, and active now.
    const path = `/api/teacher/students/${student.id}/share-link`;
    expect((await teacher.api.get(path, at(now + 2 * DAY))).body.link.state).toBe('expired');
    expect((await teacher.api.get(path)).body.link.state).toBe('active');
  });

  it('sets the time of a WebSocket upgrade too', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher, { expiresInDays: 1 });
    const status = await refusedUpgradeStatus(`/api/live/link/${student.token}`, {
      origin: appUrl(),
      ...at(Date.now() + 2 * DAY),
    });
    expect(status).toBe(410);
  });

  it('refuses a header that is not an instant', async () => {
    const response = await testClient().get('/api/health', { 'x-slotcast-now': 'tomorrow' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('test_clock_invalid');
  });
});

describe('the cron jobs', () => {
  it('run by hand at GET /__scheduled, as `wrangler dev --test-scheduled` promises', async () => {
    const { email, sentSoFar } = await givenUnsentOutboxRow('scheduled', Date.now() - 10 * 60_000);
    const response = await fetch(`${appUrl()}/__scheduled?cron=*+*+*+*+*`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('Ran scheduled event');
    await until(
      () => emailsTo(email),
      (list) => list.length === sentSoFar + 1,
    );
  });

  it('run at the trigger’s time, and the emails they queue are sent at that time', async () => {
    // Due in a minute: the wall clock's sweep would leave it alone, and a consumer on the wall clock would wait.
    // (Kept short: the sweep at the later time also picks up other tests' rows that are due by then.)
    const { email, sentSoFar } = await givenUnsentOutboxRow('cron-time', Date.now() + 60_000);
    const later = Date.now() + 5 * 60_000;
    const response = await fetch(`${appUrl()}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=${later}`);
    expect(response.status).toBe(200);
    await until(
      () => emailsTo(email),
      (list) => list.length === sentSoFar + 1,
    );
    const row = await until(
      () => outboxFor(email),
      (r) => r.status === 'sent',
    );
    expect(row.sentAt).toBeGreaterThanOrEqual(later);
  });
});

describe('a stack not started for tests', () => {
  let own: OwnStack;
  let stack: Stack;
  beforeAll(async () => {
    own = await startOwnStack();
    stack = own.stack;
  }, 120_000);
  afterAll(() => stopOwnStack(own));

  it('refuses X-Slotcast-Now, so nobody believes it took effect', async () => {
    const refused = await fetch(`${stack.appUrl}/api/health`, { headers: at(Date.now() + 2 * DAY) });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('test_clock_refused');
    expect((await fetch(`${stack.appUrl}/api/health`)).status).toBe(200);
  });
});
