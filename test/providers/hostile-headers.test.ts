/**
 * Hostile names and subjects that reached the database around the API's rules, sent through Resend (a local
 * stand-in of its API) and the Cloudflare Email Service binding (wrangler dev's simulation): the provider gets
 * one recipient, a one-line subject with the text inert, the usual sender and no added header. SMTP is covered
 * in test/integration/email-safety.test.ts. Each provider on a stack of its own, as in email-providers.test.ts.
 */
import { and, eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../../db/schema.ts';
import { startOwnStack, stopOwnStack, type OwnStack } from '../support/own-stack.ts';
import { testClient, type Json } from '../support/client.ts';
import { uniqueIp } from '../support/stack.ts';
import { startResendStandIn, type ResendStandIn } from '../support/resend-stand-in.ts';
import { createTeacherSession } from '../support/teacher-session.ts';
import { until } from '../support/until.ts';

const INJECTION = 'Ann\r\nBcc: victim@example.test\r\nReply-To: evil@example.test\r\n\r\n<h1>owned</h1>';
const FLATTENED = 'Ann Bcc: victim@example.test Reply-To: evil@example.test <h1>owned</h1>';

/**
 * A booking whose teacher name, student name and slot subject were made hostile in the database after the API
 * accepted them; resolves once the confirmation's outbox row is sent.
 */
async function givenHostileBooking({ stack, db }: OwnStack) {
  const studentEmail = `student-${randomUUID().slice(0, 8)}@example.test`;
  const teacher = await createTeacherSession(db, { displayName: 'Ada Teacher' });
  const api = testClient({ baseUrl: stack.appUrl, cookie: teacher.cookie });
  const added = await api.post('/api/teacher/students', { name: 'Sam Student', email: studentEmail });
  const link = await api.post(`/api/teacher/students/${added.body.student.id}/share-link`, {});
  const start = new Date(Date.now() + 72 * 3_600_000);
  start.setUTCMinutes(0, 0, 0);
  const slot = await api.post('/api/teacher/slots', {
    start: start.toISOString().slice(0, 19) + 'Z',
    subject: 'Piano',
  });
  const slotId = slot.body.slots[0].id as string;
  await db.update(schema.teachers).set({ displayName: INJECTION }).where(eq(schema.teachers.id, teacher.id));
  await db.update(schema.students).set({ name: INJECTION }).where(eq(schema.students.id, added.body.student.id));
  await db.update(schema.slots).set({ subject: 'Piano\rBcc: victim@example.test' }).where(eq(schema.slots.id, slotId));
  const portal = testClient({ baseUrl: stack.appUrl, ip: uniqueIp() });
  const token = (link.body.link.url as string).split('/').at(-1)!;
  expect((await portal.post(`/api/booking/${token}/book`, { slotId })).status).toBe(201);
  const row = await until(
    async () =>
      (
        await db
          .select()
          .from(schema.emailOutbox)
          .where(
            and(
              eq(schema.emailOutbox.recipient, studentEmail),
              eq(schema.emailOutbox.template, 'booking-confirmation'),
            ),
          )
      )[0],
    (r) => r?.status === 'sent',
  );
  return { studentEmail, row: row! };
}

function expectInertSubject(subject: string) {
  expect(subject).not.toMatch(/[\r\n]/);
  expect(subject).toMatch(/^Booked: Piano Bcc: victim@example\.test with Ann Bcc: victim@example\.test Reply-To/);
  expect(subject).toContain(FLATTENED);
}

describe('Resend with hostile names and subjects', () => {
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

  it('gets one email for one recipient, the usual sender, and the text inert', async () => {
    const { studentEmail } = await givenHostileBooking(app);
    const emails = resend.emailsTo(studentEmail);
    expect(emails).toHaveLength(1);
    expect(emails[0]!.to).toEqual([studentEmail]);
    expect(emails[0]!.from).toBe('Slotcast <no-reply@slotcast.test>');
    expectInertSubject(emails[0]!.subject);
    expect(emails[0]!.html).not.toContain('<h1>owned');
    expect(resend.emailsTo('victim@example.test')).toEqual([]);
  });
});

describe('Cloudflare Email Service with hostile names and subjects', () => {
  let app: OwnStack;

  beforeAll(async () => {
    app = await startOwnStack({ EMAIL_PROVIDER: 'cloudflare' });
  });
  afterAll(() => stopOwnStack(app));

  it('hands the binding one recipient, a one-line subject and no added header', async () => {
    const { studentEmail, row } = await givenHostileBooking(app);
    const response = await fetch(
      `${app.stack.appUrl}/cdn-cgi/local/explorer/api/local/email/sending?email_id=${encodeURIComponent(row.providerMessageId!)}`,
    );
    const email = ((await response.json()) as { result: Json }).result;
    expect(email.to).toEqual([studentEmail]);
    expect(email.from).toBe('"Slotcast" <no-reply@slotcast.test>');
    expect(email.headers).toEqual({ 'X-Slotcast-Outbox-Id': row.id });
    expectInertSubject(email.subject);
    expect(email.html).not.toContain('<h1>owned');
  });
});
