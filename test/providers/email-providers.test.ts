/**
 * The email providers Slotcast can be configured with (EMAIL_PROVIDER), end to end: a student books through a
 * share link on the real Worker in workerd, and the booking confirmation goes through the outbox, the queue and
 * the provider. SMTP is tested against the dev mailbox in test/integration/email-outbox.test.ts. Here, Resend
 * runs against a local stand-in of its HTTP API (Resend itself can't run here; test/support/resend-stand-in.ts),
 * and the Cloudflare Email Service binding against wrangler dev's own simulation of it. Each provider gets its
 * own stack, because the provider is configuration.
 */
import { and, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../../db/schema.ts';
import { until } from '../support/until.ts';
import { uniqueIp } from '../support/stack.ts';
import { startOwnStack, stopOwnStack, type OwnStack } from '../support/own-stack.ts';
import { testClient, type Json } from '../support/client.ts';
import { runCron } from '../support/cron.ts';
import { startResendStandIn, type ResendStandIn } from '../support/resend-stand-in.ts';
import { createTeacherSession } from '../support/teacher-session.ts';

/** MAX_ATTEMPTS in worker/email/delivery.ts (not imported: that module pulls in the Worker-only SMTP client). */
const MAX_ATTEMPTS = 8;

type Db = ReturnType<typeof drizzle<typeof schema>>;
type OutboxRow = typeof schema.emailOutbox.$inferSelect;

const newStudentEmail = () => `student-${randomUUID().slice(0, 8)}@example.test`;

/**
 * A teacher with one open slot (subject "Algebra") and a student with a share link, who books it. Returns the
 * student's address and the booking confirmation's outbox row id.
 */
async function givenBookedSession({ stack, db }: OwnStack, studentEmail = newStudentEmail()) {
  const teacher = await createTeacherSession(db, { displayName: 'Ada Teacher' });
  const api = testClient({ baseUrl: stack.appUrl, cookie: teacher.cookie });
  const added = await api.post('/api/teacher/students', { name: 'Sam Student', email: studentEmail });
  expect(added.status).toBe(201);
  const link = await api.post(`/api/teacher/students/${added.body.student.id}/share-link`, {});
  expect(link.status).toBe(201);
  const token = (link.body.link.url as string).split('/').at(-1)!;
  const start = new Date(Date.now() + 72 * 3_600_000);
  start.setUTCMinutes(0, 0, 0);
  const slot = await api.post('/api/teacher/slots', {
    start: start.toISOString().slice(0, 19) + 'Z',
    lengthMinutes: 60,
    subject: 'Algebra',
  });
  expect(slot.status).toBe(201);
  const portal = testClient({ baseUrl: stack.appUrl, ip: uniqueIp() });
  const booked = await portal.post(`/api/booking/${token}/book`, { slotId: slot.body.slots[0].id });
  expect(booked.status).toBe(201);
  const [row] = await db
    .select({ id: schema.emailOutbox.id })
    .from(schema.emailOutbox)
    .where(
      and(eq(schema.emailOutbox.recipient, studentEmail), eq(schema.emailOutbox.template, 'booking-confirmation')),
    );
  return { studentEmail, outboxId: row!.id, startsAt: start.getTime() };
}

const outboxRow = async (db: Db, id: string): Promise<OutboxRow> =>
  (await db.select().from(schema.emailOutbox).where(eq(schema.emailOutbox.id, id)))[0]!;

/** Skips the rest of a row's backoff: the row looks overdue, so the cron sweep puts it on the queue at once. */
async function retryNow({ stack, db }: OwnStack, id: string): Promise<void> {
  await db
    .update(schema.emailOutbox)
    .set({ nextAttemptAt: Date.now() - 10 * 60_000 })
    .where(eq(schema.emailOutbox.id, id));
  await runCron({ baseUrl: stack.appUrl });
}

/** What a booking confirmation must carry whichever provider sends it. */
function expectBookingConfirmation(email: { subject: string; text: string; html: string }) {
  expect(email.subject).toMatch(/^Booked: Algebra with Ada Teacher, /);
  expect(email.text).toContain('Hi Sam Student, your session is booked.');
  expect(email.text).toMatch(/Sign in: http:\/\/127\.0\.0\.1:\d+\/login\/verify#token=/);
  expect(email.html).toContain('Algebra with Ada Teacher');
  expect(email.html).toMatch(/href="http:\/\/127\.0\.0\.1:\d+\/login\/verify#token=/);
}

function expectSessionIcs(ics: string, startsAt: number) {
  const utc = new Date(startsAt)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  expect(ics).toMatch(/^BEGIN:VCALENDAR\r\n/);
  expect(ics).toContain(`DTSTART:${utc}`);
  expect(ics).toContain('SUMMARY:Algebra with Ada Teacher');
}

describe('Resend (HTTP API, through a local stand-in)', () => {
  const apiKey = `re_test_${randomUUID().replaceAll('-', '')}`;
  let resend: ResendStandIn;
  let app: OwnStack;

  beforeAll(async () => {
    resend = await startResendStandIn({ apiKey });
    app = await startOwnStack({ EMAIL_PROVIDER: 'resend', RESEND_API_URL: resend.url, RESEND_API_KEY: apiKey });
  });
  afterAll(async () => {
    await stopOwnStack(app);
    await resend?.close();
  });

  it('delivers a booking confirmation once, with its calendar file, keyed by the outbox id', async () => {
    const { studentEmail, outboxId, startsAt } = await givenBookedSession(app);
    const row = await until(
      () => outboxRow(app.db, outboxId),
      (r) => r.status === 'sent',
    );
    const [email, ...more] = resend.emailsTo(studentEmail);
    expect(more).toHaveLength(0);
    expect(email!.to).toEqual([studentEmail]);
    expect(email!.from).toBe('Slotcast <no-reply@slotcast.test>');
    expectBookingConfirmation({ subject: email!.subject, text: email!.text ?? '', html: email!.html ?? '' });
    expect(email!.attachments).toHaveLength(1);
    expect(email!.attachments[0]).toMatchObject({ filename: 'session.ics', content_type: 'text/calendar' });
    expectSessionIcs(Buffer.from(email!.attachments[0]!.content, 'base64').toString('utf8'), startsAt);
    expect(email!.idempotencyKey).toBe(outboxId);
    expect(row).toMatchObject({
      status: 'sent',
      provider: 'resend',
      providerMessageId: email!.id,
      attempts: 1,
      lastError: null,
    });
  });

  it('retries after Resend answers 429, after the backoff, with the same idempotency key', async () => {
    const studentEmail = newStudentEmail();
    resend.failNext(429, 1, { to: studentEmail, retryAfterSeconds: 1 });
    const { outboxId } = await givenBookedSession(app, studentEmail);
    const failed = await until(
      () => outboxRow(app.db, outboxId),
      (r) => r.status === 'queued' && r.attempts === 1 && !!r.lastError,
    );
    expect(failed.lastError).toMatch(/Resend answered 429/);
    // The first failure waits 10 s (delivery.ts backoff), counted from the attempt.
    expect(failed.nextAttemptAt - failed.updatedAt).toBeGreaterThan(8_000);
    expect(failed.nextAttemptAt - failed.updatedAt).toBeLessThanOrEqual(10_000);
    expect(resend.emailsTo(studentEmail)).toHaveLength(0);

    const sent = await until(
      () => outboxRow(app.db, outboxId),
      (r) => r.status === 'sent',
      30_000,
    );
    expect(sent).toMatchObject({ attempts: 2, provider: 'resend', lastError: null });
    const attempts = resend.requestsTo(studentEmail);
    expect(attempts.map((r) => r.answer)).toEqual([429, 200]);
    expect(attempts.map((r) => r.idempotencyKey)).toEqual([outboxId, outboxId]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(9_000);
    const [email, ...more] = resend.emailsTo(studentEmail);
    expect(more).toHaveLength(0);
    expect(sent.providerMessageId).toBe(email!.id);
  }, 45_000);

  it('does not send twice when Resend took the email but its answer was lost', async () => {
    const studentEmail = newStudentEmail();
    resend.dropAnswerNext(1, { to: studentEmail });
    const { outboxId } = await givenBookedSession(app, studentEmail);
    // Resend sent it, but to Slotcast the attempt failed: the row waits for its retry.
    await until(
      () => outboxRow(app.db, outboxId),
      (r) => r.status === 'queued' && r.attempts === 1 && !!r.lastError,
    );
    expect(resend.emailsTo(studentEmail)).toHaveLength(1);

    await retryNow(app, outboxId);
    const sent = await until(
      () => outboxRow(app.db, outboxId),
      (r) => r.status === 'sent',
    );
    expect(sent.attempts).toBe(2);
    const attempts = resend.requestsTo(studentEmail);
    expect(attempts.map((r) => r.answer)).toEqual(['dropped', 200]);
    expect(attempts.map((r) => r.idempotencyKey)).toEqual([outboxId, outboxId]);
    // The retry was answered with the first request's id, and nothing more was sent.
    const [email, ...more] = resend.emailsTo(studentEmail);
    expect(more).toHaveLength(0);
    expect(sent.providerMessageId).toBe(email!.id);
  });

  it('does not send twice when Resend took the email but marking the row sent failed', async () => {
    const studentEmail = newStudentEmail();
    // Test-only: the database refuses to mark this recipient's email sent, until the trigger is dropped.
    await app.db.run(
      sql.raw(`CREATE TRIGGER test_refuse_sent_mark BEFORE UPDATE OF status ON email_outbox
        WHEN NEW.status = 'sent' AND NEW.recipient = '${studentEmail}'
        BEGIN SELECT RAISE(ABORT, 'TEST_REFUSES_SENT_MARK'); END`),
    );
    let outboxId: string;
    try {
      ({ outboxId } = await givenBookedSession(app, studentEmail));
      const unrecorded = await until(
        () => outboxRow(app.db, outboxId),
        (r) => r.status === 'queued' && r.attempts === 1 && !!r.lastError,
      );
      // Told apart from a failed send, so whoever reads the row knows the email did go out.
      expect(unrecorded.lastError).toMatch(/sent, but recording it failed: .*TEST_REFUSES_SENT_MARK/);
      expect(resend.emailsTo(studentEmail)).toHaveLength(1);
    } finally {
      await app.db.run(sql.raw('DROP TRIGGER IF EXISTS test_refuse_sent_mark'));
    }

    await retryNow(app, outboxId);
    const sent = await until(
      () => outboxRow(app.db, outboxId),
      (r) => r.status === 'sent',
    );
    expect(sent).toMatchObject({ attempts: 2, lastError: null });
    const attempts = resend.requestsTo(studentEmail);
    expect(attempts.map((r) => r.answer)).toEqual([200, 200]);
    expect(attempts.map((r) => r.idempotencyKey)).toEqual([outboxId, outboxId]);
    const [email, ...more] = resend.emailsTo(studentEmail);
    expect(more).toHaveLength(0);
    expect(sent.providerMessageId).toBe(email!.id);
  });

  it(`keeps retrying a failing Resend, then marks the row failed after attempt ${MAX_ATTEMPTS}`, async () => {
    const studentEmail = newStudentEmail();
    resend.failNext(500, MAX_ATTEMPTS, { to: studentEmail });
    const { outboxId } = await givenBookedSession(app, studentEmail);
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      const row = await until(
        () => outboxRow(app.db, outboxId),
        (r) => r.attempts === attempt && r.status !== 'sending',
      );
      expect(row).toMatchObject({ status: 'queued', sentAt: null });
      expect(row.lastError).toMatch(/Resend answered 500/);
      await retryNow(app, outboxId);
    }
    const failed = await until(
      () => outboxRow(app.db, outboxId),
      (r) => r.status === 'failed',
    );
    expect(failed).toMatchObject({ attempts: MAX_ATTEMPTS, sentAt: null, providerMessageId: null });
    expect(failed.lastError).toMatch(/Resend answered 500/);

    // A failed row is left alone: the sweep does not pick it up again. A witness rides the same sweep: another
    // student's sent confirmation, put back as if its queue message were lost. Once the witness is sent again,
    // the sweep has run and the messages it queued were consumed; a failed row can't be claimed after that.
    const witness = await givenBookedSession(app);
    await until(
      () => outboxRow(app.db, witness.outboxId),
      (r) => r.status === 'sent',
    );
    await app.db
      .update(schema.emailOutbox)
      .set({ status: 'queued', attempts: 0, sentAt: null, nextAttemptAt: Date.now() - 10 * 60_000 })
      .where(eq(schema.emailOutbox.id, witness.outboxId));
    await retryNow(app, outboxId);
    await until(
      () => outboxRow(app.db, witness.outboxId),
      (r) => r.status === 'sent',
    );
    expect(await outboxRow(app.db, outboxId)).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });
    const attempts = resend.requestsTo(studentEmail);
    expect(attempts).toHaveLength(MAX_ATTEMPTS);
    expect(new Set(attempts.map((r) => r.idempotencyKey))).toEqual(new Set([outboxId]));
    expect(resend.emailsTo(studentEmail)).toHaveLength(0);
  }, 60_000);
});

/**
 * wrangler dev runs the `send_email` binding as a local simulation (miniflare's SendEmailBinding): `send()` with
 * a message builder checks the binding's sender/recipient restrictions, returns a synthesized messageId, keeps
 * the message for the Local Explorer (`/cdn-cgi/local/explorer/api/local/email/sending`) and writes the text,
 * the HTML and each attachment to files whose paths it logs at info level. Nothing is delivered. What it can't
 * show, and this test therefore doesn't check: delivery itself, sender-domain verification, the header
 * allowlist (it accepts any header; production refuses Message-ID), Email Service's error codes, and the
 * decoding of base64 attachment content (it stores a string attachment as given, so the file holds base64).
 */
describe('Cloudflare Email Service (the EMAIL binding, simulated by wrangler dev)', () => {
  let app: OwnStack;

  beforeAll(async () => {
    // Info level: the simulation logs where it wrote each part of the message.
    app = await startOwnStack({ EMAIL_PROVIDER: 'cloudflare' }, { logLevel: 'info' });
  });
  afterAll(() => stopOwnStack(app));

  const explorer = async (query: string) => {
    const response = await fetch(`${app.stack.appUrl}/cdn-cgi/local/explorer/api/local/email/sending${query}`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { result: Json }).result;
  };

  /** The file the simulation logged for an attachment of the message with this id. */
  const loggedAttachmentPath = (messageId: string, filename: string) => {
    const log = readFileSync(join(app.dataDir, 'wrangler.log'), 'utf8');
    const storageId = messageId.replace(/^<|>$/g, '');
    const line = log
      .split('\n')
      .find((l) => l.startsWith(`Attachment (attachment): ${filename} -> `) && l.includes(storageId));
    return line?.split(' -> ')[1]?.trim();
  };

  it('hands a booking confirmation to the binding and records the id it returns', async () => {
    const { studentEmail, outboxId, startsAt } = await givenBookedSession(app);
    const row = await until(
      () => outboxRow(app.db, outboxId),
      (r) => r.status === 'sent',
    );
    expect(row).toMatchObject({ provider: 'cloudflare', attempts: 1, lastError: null });
    expect(row.providerMessageId).toMatch(/^<\S+@slotcast\.test>$/);

    const sentToStudent = (await explorer('')).filter((e: { to: string[] }) => e.to.includes(studentEmail));
    expect(sentToStudent).toHaveLength(1);
    const email = await explorer(`?email_id=${encodeURIComponent(row.providerMessageId!)}`);
    expect(email).toMatchObject({
      to: [studentEmail],
      from: '"Slotcast" <no-reply@slotcast.test>',
      headers: { 'X-Slotcast-Outbox-Id': outboxId },
      attachments: [{ filename: 'session.ics', contentType: 'text/calendar', disposition: 'attachment' }],
    });
    expectBookingConfirmation(email);

    // The attachment as the simulation wrote it to disk (after send() returned, so wait for its log line).
    const icsPath = await until(
      () => loggedAttachmentPath(row.providerMessageId!, 'session.ics'),
      (path) => !!path,
      5_000,
    );
    expectSessionIcs(Buffer.from(readFileSync(icsPath!, 'utf8'), 'base64').toString('utf8'), startsAt);
  });
});
