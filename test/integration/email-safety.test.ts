/**
 * Text that tries to break out of its field (issue 9, §2): the API refuses it with a 400 and writes nothing;
 * and when such text is already in the database (written around the API), the email built from it still has
 * one recipient, no added header, and shows the text as inert words. SMTP against the dev mailbox; Resend and
 * the Cloudflare binding are in test/providers/hostile-headers.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import * as schema from '../../db/schema.ts';
import { createSessionFor } from '../support/teacher-session.ts';
import { testClient, type Json } from '../support/client.ts';
import { db } from '../support/database.ts';
import { waitForEmail, type ReceivedEmail } from '../support/mailbox.ts';
import { givenApiKey, givenSlots, givenStudent, givenTeacher } from '../support/scenario.ts';
import { uniqueEmail } from '../support/stack.ts';
import { daysFromToday, hoursFromNow } from '../support/time.ts';

const INJECTION = 'Ann\r\nBcc: victim@example.test\r\nReply-To: evil@example.test\r\n\r\n<h1>owned</h1>';
const FLATTENED = 'Ann Bcc: victim@example.test Reply-To: evil@example.test <h1>owned</h1>';
const NAME_REFUSED = "Names can't contain line breaks or control characters.";

const expectRefused = (response: { status: number; body: Json }, message: string) => {
  expect(response.status).toBe(400);
  expect(response.body.error).toMatchObject({ code: 'invalid_request' });
  expect(response.body.error.message).toContain(message);
};

/** One recipient, none of the injected headers, and the hostile text inert in subject, text and HTML. */
function expectNoInjection(email: ReceivedEmail, recipient: string) {
  expect(email.envelope.to).toEqual([recipient]);
  expect(email.to).toEqual([recipient]);
  expect(email.cc).toEqual([]);
  const keys = email.headers.map((h) => h.key.toLowerCase());
  expect(keys).not.toContain('bcc');
  expect(keys).not.toContain('reply-to');
  expect(keys.filter((k) => k === 'subject')).toHaveLength(1);
  expect(email.subject).not.toMatch(/[\r\n]/);
  expect(email.html).not.toContain('<h1>owned');
  expect(email.text.split(/\r?\n/).some((line) => /^(Bcc|Reply-To):/i.test(line))).toBe(false);
}

describe('text fields refuse control characters', () => {
  it("refuses a student's name with a line break, and adds or changes no student", async () => {
    const teacher = await givenTeacher();
    expectRefused(
      await teacher.api.post('/api/teacher/students', { name: INJECTION, email: uniqueEmail() }),
      NAME_REFUSED,
    );
    expect((await teacher.api.get('/api/teacher/students')).body.students).toEqual([]);
    const student = await givenStudent(teacher, { name: 'Sam Student' });
    expectRefused(await teacher.api.patch(`/api/teacher/students/${student.id}`, { name: 'Sam\u0000' }), NAME_REFUSED);
    expect((await teacher.api.get('/api/teacher/students')).body.students[0].name).toBe('Sam Student');
  });

  it("refuses a teacher's display name with a line break and keeps the old one", async () => {
    const teacher = await givenTeacher({ displayName: 'Ada Teacher' });
    expectRefused(await teacher.api.patch('/api/teacher/settings', { displayName: INJECTION }), NAME_REFUSED);
    expectRefused(await teacher.api.patch('/api/teacher/settings', { displayName: 'Ada\tTeacher' }), NAME_REFUSED);
    const [row] = await db().select().from(schema.teachers).where(eq(schema.teachers.id, teacher.id));
    expect(row!.displayName).toBe('Ada Teacher');
  });

  it('refuses a slot subject with a line break, single or weekly, and creates no slot', async () => {
    const teacher = await givenTeacher();
    const refused = "Subjects can't contain line breaks or control characters.";
    expectRefused(
      await teacher.api.post('/api/teacher/slots', { start: hoursFromNow(48), subject: 'Piano\rBcc: x@y.test' }),
      refused,
    );
    expectRefused(
      await teacher.api.post('/api/teacher/slots/recurring', {
        days: [1],
        startTime: '09:00',
        from: daysFromToday(7),
        until: daysFromToday(38),
        subject: 'Piano\u2028lesson',
      }),
      refused,
    );
    expect(await db().select().from(schema.slots).where(eq(schema.slots.teacherId, teacher.id))).toEqual([]);
  });

  it('refuses an API key name with a control character', async () => {
    const teacher = await givenTeacher();
    expectRefused(await teacher.api.post('/api/teacher/api-keys', { name: 'Form\u001b[2J' }), NAME_REFUSED);
    expect((await teacher.api.get('/api/teacher/api-keys')).body.keys).toEqual([]);
  });

  it('refuses a name, subject or external id with a line break from another system, and books nothing', async () => {
    const teacher = await givenTeacher();
    const key = await givenApiKey(teacher);
    const body = { email: uniqueEmail(), name: 'Lena Ortiz', start: hoursFromNow(72), externalId: 'form-1' };
    expectRefused(await key.confirm({ ...body, name: INJECTION }), NAME_REFUSED);
    expectRefused(
      await key.confirm({ ...body, subject: 'Trial\nBcc: x@y.test' }),
      "Subjects can't contain line breaks or control characters.",
    );
    expectRefused(await key.confirm({ ...body, externalId: 'form\r\n1' }), "Ids can't contain line breaks");
    expect(await db().select().from(schema.bookings).where(eq(schema.bookings.teacherId, teacher.id))).toEqual([]);
    expect(await db().select().from(schema.slots).where(eq(schema.slots.teacherId, teacher.id))).toEqual([]);
  });

  it("keeps line breaks in a student's notes but refuses other control characters", async () => {
    const id = randomUUID();
    const now = Date.now();
    await db()
      .insert(schema.users)
      .values({ id, email: uniqueEmail('notes'), name: 'Nora', role: 'student', createdAt: now, updatedAt: now });
    const student = testClient({ cookie: await createSessionFor(db(), id) });
    const base = { timeZone: 'Europe/Berlin', weeklyRanges: [] };
    expectRefused(
      await student.post('/api/student/availability', { ...base, notes: 'after 4\u0000' }),
      "Notes can't contain control characters.",
    );
    expect((await student.get('/api/student/availability')).body.availability).toBeNull();
    const saved = await student.post('/api/student/availability', {
      ...base,
      notes: 'Mondays:\r\nafter 4\rnot Fridays',
    });
    expect(saved.status).toBe(200);
    expect((await student.get('/api/student/availability')).body.availability.notes).toBe(
      'Mondays:\nafter 4\nnot Fridays',
    );
  });
});

describe('emails built from hostile text already in the database (SMTP)', () => {
  it('sends the share-link email to one recipient with no injected header', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    await db().update(schema.teachers).set({ displayName: INJECTION }).where(eq(schema.teachers.id, teacher.id));
    await db().update(schema.students).set({ name: INJECTION }).where(eq(schema.students.id, student.id));
    expect((await teacher.api.post(`/api/teacher/students/${student.id}/share-link/email`)).status).toBe(202);
    const email = await waitForEmail(student.email);
    expectNoInjection(email, student.email);
    expect(email.subject).toBe(`${FLATTENED} invites you to book a session`);
    expect(email.text.split(/\r?\n/).find((line) => line.startsWith('Hi '))).toMatch(
      new RegExp(`^Hi ${FLATTENED.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')},`),
    );
    expect(email.html).toContain('&lt;h1&gt;owned&lt;/h1&gt;');
  });

  it('sends the booking confirmation with a hostile subject inert, in the email and its calendar file', async () => {
    const teacher = await givenTeacher();
    const [slotId] = await givenSlots(teacher, 1);
    const student = await givenStudent(teacher);
    await db().update(schema.teachers).set({ displayName: INJECTION }).where(eq(schema.teachers.id, teacher.id));
    await db()
      .update(schema.slots)
      .set({ subject: 'Piano\rBcc: victim@example.test' })
      .where(eq(schema.slots.id, slotId!));
    expect((await student.portal.book(slotId!)).status).toBe(201);
    const email = await waitForEmail(student.email, { subjectIncludes: 'Booked' });
    expectNoInjection(email, student.email);
    expect(email.subject).toMatch(
      /^Booked: Piano Bcc: victim@example\.test with Ann Bcc: victim@example\.test Reply-To/,
    );
    const ics = email.attachments.find((a) => a.filename === 'session.ics');
    const event = new ICAL.Component(ICAL.parse(Buffer.from(ics!.contentBase64, 'base64').toString('utf8')))
      .getAllSubcomponents('vevent')
      .at(0)!;
    expect(event.getAllProperties('summary')).toHaveLength(1);
    expect(event.getFirstPropertyValue('summary')).toMatch(/^Piano Bcc: victim@example\.test with Ann Bcc:/);
    expect(event.getAllProperties('attendee')).toHaveLength(0);
  });
});
