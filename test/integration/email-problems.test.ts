/**
 * Email that couldn't be delivered after all: bounces and complaints reported after delivery (Resend's signed
 * webhook, Cloudflare's event queue) mark the student for the teacher, who corrects the address and sends the
 * confirmation again. (SMTP refusals at send time are in email-outbox.test.ts, with every other test that sets
 * a fault on the dev mailbox: its one fault slot is shared, so those tests must not run at once.)
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as schema from '../../db/schema.ts';
import { testClient } from '../support/client.ts';
import { db } from '../support/database.ts';
import { expectEmailTo } from '../support/mailbox.ts';
import { expectOutboxRow } from '../support/outbox.ts';
import { givenSlots, givenStudent, givenTeacher } from '../support/scenario.ts';
import { uniqueEmail, uniqueIp } from '../support/stack.ts';
import { until } from '../support/until.ts';
import { cloudflareEvent, resendBounce, svixHeaders } from '../support/webhooks.ts';

/** A booked student whose confirmation went out; returns its outbox row once sent. */
async function givenConfirmedBooking() {
  const teacher = await givenTeacher();
  const student = await givenStudent(teacher, { name: 'Noor Student' });
  const [slotId] = await givenSlots(teacher, 1, 60);
  expect((await student.portal.book(slotId!)).status).toBe(201);
  const confirmation = await expectOutboxRow(student.email, { status: 'sent' }, { template: 'booking-confirmation' });
  return { teacher, student, confirmation };
}

const studentRow = async (id: string) =>
  (await db().select().from(schema.students).where(eq(schema.students.id, id)))[0]!;

function postResendEvent(body: string, headers: Record<string, string>) {
  return testClient({ origin: null, ip: uniqueIp() }).request('POST', '/api/webhooks/resend', { body, headers });
}

describe('bounces and complaints after delivery', () => {
  it('marks the student bounced from a signed Resend webhook, with the reason in plain words', async () => {
    const { teacher, student, confirmation } = await givenConfirmedBooking();
    const body = JSON.stringify(resendBounce('re_unknown_to_us', student.email));
    const answer = await postResendEvent(body, svixHeaders(body));
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toEqual({ ok: true, recorded: true });

    expect(await studentRow(student.id)).toMatchObject({ emailProblem: 'bounced' });
    await expectOutboxRow(student.email, { id: confirmation.id, status: 'bounced' });
    const listed = (await teacher.api.get('/api/teacher/students')).body.students.find(
      (s: { id: string }) => s.id === student.id,
    );
    expect(listed.emailProblem.kind).toBe('bounced');
    expect(listed.emailProblem.reason).toMatch(/bounce.*The recipient address does not exist/);
  });

  it('refuses a webhook with a wrong or stale signature with 401 and changes nothing', async () => {
    const { student, confirmation } = await givenConfirmedBooking();
    const body = JSON.stringify(resendBounce('re_x', student.email));
    const wrongSecret = svixHeaders(body, {
      secret: `whsec_${Buffer.from('another-secret-another-secret-32').toString('base64')}`,
    });
    const stale = svixHeaders(body, { timestampSeconds: Math.floor(Date.now() / 1000) - 10 * 60 });
    const tampered = { ...svixHeaders(body), 'svix-id': 'msg_other' };
    for (const headers of [wrongSecret, stale, tampered, { 'content-type': 'application/json' }]) {
      const answer = await postResendEvent(body, headers);
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('signature_invalid');
    }
    expect(await studentRow(student.id)).toMatchObject({ emailProblem: null });
    await expectOutboxRow(student.email, { id: confirmation.id, status: 'sent' });
  });

  it('marks the student from a Cloudflare Email Service event delivered through the queue', async () => {
    const { student, confirmation } = await givenConfirmedBooking();
    const event = cloudflareEvent('complained', confirmation.providerMessageId!, student.email);
    const published = await testClient({ ip: uniqueIp() }).post('/api/webhooks/test/cloudflare-email-events', event);
    expect(published.status, published.text).toBe(202);
    const marked = await until(
      () => studentRow(student.id),
      (s) => s.emailProblem !== null,
    );
    expect(marked.emailProblem).toBe('complained');
    expect(marked.emailProblemReason).toMatch(/spam/);
    await expectOutboxRow(student.email, { id: confirmation.id, status: 'complained' });
  });

  it('lets the teacher correct the address and send the confirmation again', async () => {
    const { teacher, student } = await givenConfirmedBooking();
    const body = JSON.stringify(resendBounce('re_y', student.email));
    expect((await postResendEvent(body, svixHeaders(body))).status).toBe(200);

    const someoneElse = await givenTeacher();
    const notTheirs = await someoneElse.api.post(`/api/teacher/students/${student.id}/resend-confirmation`, {});
    expect(notTheirs.status).toBe(404);
    const bad = await teacher.api.post(`/api/teacher/students/${student.id}/resend-confirmation`, { email: 'nope' });
    expect(bad.status).toBe(400);

    const corrected = uniqueEmail('corrected');
    const sent = await teacher.api.post(`/api/teacher/students/${student.id}/resend-confirmation`, {
      email: corrected,
    });
    expect(sent.status, sent.text).toBe(202);
    const email = await expectEmailTo(corrected, {
      subjectIncludes: 'Booked:',
      textIncludes: ['Hi Noor Student, your session is booked.'],
    });
    expect(email.text).toMatch(/\/login\/verify#token=/);
    expect(await studentRow(student.id)).toMatchObject({ email: corrected, emailProblem: null });
    const audit = await db().select().from(schema.auditLog).where(eq(schema.auditLog.targetId, student.id));
    expect(audit.map((a) => a.action)).toContain('student.confirmation_resent');
  });
});
