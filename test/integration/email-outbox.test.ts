import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as schema from '../../db/schema.ts';
import { until } from '../support/until.ts';
import { testClient } from '../support/client.ts';
import { db } from '../support/database.ts';
import { runCron } from '../support/cron.ts';
import { emailsTo, smtpFault, waitForEmail } from '../support/mailbox.ts';
import { expectEmailCountTo, expectOutboxRow } from '../support/outbox.ts';
import { uniqueEmail, uniqueIp } from '../support/stack.ts';

const requestLink = (email: string) => testClient({ ip: uniqueIp() }).post('/api/auth/magic-link', { email });
/**
 * The retry tests watch a row between its failed attempt and its retry (10 s of backoff). Other test files run the
 * cron jobs at instants days ahead (reminders), and their outbox sweep rightly re-sends every row that is due by
 * then, this one included, which would skip the state under watch. A request a year and a half ahead puts the
 * row beyond every other file's cron; its queue messages keep that shift, so the retry runs at the same moved time.
 */
const BEYOND_OTHER_CRONS_MS = 540 * 24 * 60 * 60 * 1000;
const requestLinkBeyondOtherCrons = (email: string) =>
  testClient({ ip: uniqueIp() })
    .at(Date.now() + BEYOND_OTHER_CRONS_MS)
    .post('/api/auth/magic-link', { email });
const outboxFor = async (email: string) =>
  (await db().select().from(schema.emailOutbox).where(eq(schema.emailOutbox.recipient, email)))[0]!;

describe('the email outbox', () => {
  it('records a sent email with its attempt count and provider message id', async () => {
    const email = uniqueEmail('outbox');
    await requestLink(email);
    await waitForEmail(email);
    const row = await until(
      () => outboxFor(email),
      (r) => r.status === 'sent',
    );
    expect(row).toMatchObject({ status: 'sent', attempts: 1, provider: 'smtp', lastError: null });
    expect(row.sentAt).toBeGreaterThan(0);
    const [received] = await emailsTo(email);
    expect(received!.messageId).toBe(row.providerMessageId);
  });

  it('retries after a temporary SMTP failure, records the error, and delivers exactly once', async () => {
    const email = uniqueEmail('retry');
    await smtpFault({ mode: 'reject', count: 1, to: email });
    try {
      await requestLinkBeyondOtherCrons(email);
      const failedOnce = await until(
        () => outboxFor(email),
        (r) => r.attempts >= 1 && r.status === 'queued' && !!r.lastError,
      );
      expect(failedOnce.lastError).toMatch(/451|temporary|try again/i);
      // The queue retries after the backoff (10 s for the first failure).
      await waitForEmail(email, { timeoutMs: 30_000 });
      const sent = await until(
        () => outboxFor(email),
        (r) => r.status === 'sent',
      );
      expect(sent.attempts).toBe(2);
      expect(sent.lastError).toBeNull();
      // The row is settled (sent): nothing more can go out for it, so one email now means exactly one.
      await expectEmailCountTo(email, 1);
    } finally {
      await smtpFault({ mode: 'reject', count: 0 });
    }
  }, 60_000);

  it('survives a mail server that hangs up mid-transaction: the attempt fails, the app keeps answering, the retry delivers', async () => {
    const email = uniqueEmail('hangup');
    await smtpFault({ mode: 'hangup', count: 1, to: email });
    try {
      await requestLinkBeyondOtherCrons(email);
      const failedOnce = await until(
        () => outboxFor(email),
        (r) => r.attempts >= 1 && r.status === 'queued' && !!r.lastError,
      );
      expect(failedOnce.lastError).toMatch(/closed the connection/i);
      // The Worker is not stuck in the dead connection: it answers at once.
      const started = Date.now();
      expect((await testClient().get('/api/health')).status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2_000);
      await waitForEmail(email, { timeoutMs: 30_000 });
      const sent = await until(
        () => outboxFor(email),
        (r) => r.status === 'sent',
      );
      expect(sent.attempts).toBe(2);
      // The row is settled (sent): nothing more can go out for it, so one email now means exactly one.
      await expectEmailCountTo(email, 1);
    } finally {
      await smtpFault({ mode: 'reset' });
    }
  }, 60_000);

  it('re-enqueues a row whose queue message was lost when the cron sweep runs', async () => {
    const email = uniqueEmail('sweep');
    const now = Date.now();
    // A committed outbox row that never reached the queue: what a crash between commit and enqueue leaves.
    await requestLink(email);
    const row = await until(
      () => outboxFor(email),
      (r) => r.status === 'sent',
    );
    await db()
      .update(schema.emailOutbox)
      .set({ status: 'queued', attempts: 0, sentAt: null, nextAttemptAt: now - 10 * 60_000 })
      .where(eq(schema.emailOutbox.id, row.id));
    const before = (await emailsTo(email)).length;
    await runCron();
    await until(
      () => emailsTo(email),
      (list) => list.length === before + 1,
    );
    expect(
      await until(
        () => outboxFor(email),
        (r) => r.status === 'sent',
      ),
    ).toMatchObject({ attempts: 1 });
  });
});

// Every test that sets a fault on the dev mailbox lives in this file: the mailbox has one fault slot, shared
// by the whole stack, and the tests of one file run one at a time.
describe('permanent and temporary SMTP refusals', () => {
  afterEach(() => smtpFault({ mode: 'reset' }));

  it('fails an email refused with 550 at once, with the reason, and never retries it', async () => {
    const email = uniqueEmail('refused');
    await smtpFault({ mode: 'reject', count: 5, code: 550, at: 'rcpt', to: email });
    await requestLink(email);
    const row = await expectOutboxRow(email, { status: 'failed' });
    expect(row.attempts).toBe(1);
    expect(row.lastError).toMatch(/550/);
  });

  for (const [code, at] of [
    [451, 'data'],
    [421, 'rcpt'],
  ] as const) {
    it(`retries an email refused with ${code} later instead of failing it`, async () => {
      const email = uniqueEmail(`temporary-${code}`);
      await smtpFault({ mode: 'reject', count: 1, code, at, to: email });
      await requestLinkBeyondOtherCrons(email);
      const row = await until(
        () => db().select().from(schema.emailOutbox).where(eq(schema.emailOutbox.recipient, email)),
        (rows) => rows.some((r) => r.attempts >= 1 && !!r.lastError),
      );
      expect(row[0]!.lastError).toContain(String(code));
      expect(row[0]!.status === 'queued' || row[0]!.status === 'sending' || row[0]!.status === 'sent').toBe(true);
      expect(row[0]!.status).not.toBe('failed');
    });
  }
});
