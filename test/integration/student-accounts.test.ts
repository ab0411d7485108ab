import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as schema from '../../db/schema.ts';
import { testClient } from '../support/client.ts';
import { db } from '../support/database.ts';
import { waitForDistinctEmails, waitForEmail } from '../support/mailbox.ts';
import { givenSlots, givenStudent, givenTeacher } from '../support/scenario.ts';
import { expectEmailCountTo } from '../support/outbox.ts';

const userByEmail = async (email: string) =>
  (await db().select().from(schema.users).where(eq(schema.users.email, email)))[0];

describe('a student account from every booking', () => {
  it('creates the account on a first booking and links the booking and the enrolled student to it', async () => {
    const teacher = await givenTeacher();
    const [slot] = await givenSlots(teacher, 1);
    const student = await givenStudent(teacher, { name: 'Nia Park' });
    expect(await userByEmail(student.email)).toBeUndefined();
    const booked = await student.portal.book(slot!);
    expect(booked.status).toBe(201);
    const user = await userByEmail(student.email);
    expect(user).toMatchObject({ role: 'student', name: 'Nia Park', createdFromBookingId: booked.body.booking.id });
    const [booking] = await db().select().from(schema.bookings).where(eq(schema.bookings.id, booked.body.booking.id));
    expect(booking!.studentUserId).toBe(user!.id);
    const [enrolled] = await db().select().from(schema.students).where(eq(schema.students.id, student.id));
    expect(enrolled!.userId).toBe(user!.id);
  });

  it('links a booking with an existing email to the existing account', async () => {
    const teacher = await givenTeacher();
    const [first, second] = await givenSlots(teacher, 2, 72);
    const student = await givenStudent(teacher);
    const one = await student.portal.book(first!);
    const two = await student.portal.book(second!);
    const users = await db().select().from(schema.users).where(eq(schema.users.email, student.email));
    expect(users).toHaveLength(1);
    expect(users[0]!.createdFromBookingId).toBe(one.body.booking.id);
    const bookings = await db().select().from(schema.bookings).where(eq(schema.bookings.studentId, student.id));
    expect(new Set(bookings.map((b) => b.studentUserId))).toEqual(new Set([users[0]!.id]));
    expect(two.status).toBe(201);
  });

  it('creates exactly one account when two first bookings for the same new email land at once', async () => {
    const [a, b] = [await givenTeacher(), await givenTeacher()];
    const [slotA] = await givenSlots(a, 1);
    const [slotB] = await givenSlots(b, 1);
    const email = `twice-${crypto.randomUUID().slice(0, 8)}@example.test`;
    const enrol = async (teacher: typeof a) => {
      const { body } = await teacher.api.post('/api/teacher/students', { name: 'Twice', email });
      const link = await teacher.api.post(`/api/teacher/students/${body.student.id}/share-link`, {});
      return link.body.link.url.split('/').at(-1) as string;
    };
    const [tokenA, tokenB] = await Promise.all([enrol(a), enrol(b)]);
    const results = await Promise.all([
      testClient().post(`/api/booking/${tokenA}/book`, { slotId: slotA }),
      testClient().post(`/api/booking/${tokenB}/book`, { slotId: slotB }),
    ]);
    expect(results.map((r) => r.status)).toEqual([201, 201]);
    expect(await db().select().from(schema.users).where(eq(schema.users.email, email))).toHaveLength(1);
  });
});

describe('the booking confirmation email', () => {
  it('tells the student when, in their time zone and the teacher’s, with a dashboard link, a one-click first sign-in and a calendar file', async () => {
    const teacher = await givenTeacher({ displayName: 'Ms Rivera', timeZone: 'Europe/Berlin' });
    const [slot] = await givenSlots(teacher, 1);
    const student = await givenStudent(teacher, { name: 'Omar' });
    const booked = await testClient().post(`/api/booking/${student.token}/book`, {
      slotId: slot,
      timeZone: 'America/New_York',
    });
    expect(booked.status).toBe(201);
    const email = await waitForEmail(student.email, { subjectIncludes: 'Booked' });
    expect(email.subject).toContain('Ms Rivera');
    expect(email.text).toMatch(/\(New York, Eastern (Standard |Daylight )?Time, GMT-[45]\)/);
    expect(email.text).toContain('For Ms Rivera:');
    expect(email.text).toMatch(/\(Berlin, Central European (Standard |Summer )?Time, GMT\+[12]\)/);
    expect(email.text).toMatch(/Your dashboard: http:\/\/127\.0\.0\.1:\d+\/student/);
    expect(email.text).toContain('We made you a Slotcast account');
    const ics = email.attachments.find((a) => a.filename === 'session.ics');
    expect(ics?.contentType).toContain('text/calendar');
    const calendar = Buffer.from(ics!.contentBase64, 'base64').toString();
    const start = new Date(booked.body.booking.startsAt)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    expect(calendar).toContain(`DTSTART:${start}`);
    expect(calendar).toContain('BEGIN:VEVENT');

    // The first-access link signs the student in, once.
    const token = /\/login\/verify#token=([a-z2-7]+)/.exec(email.text)![1]!;
    const [stored] = await db().select().from(schema.loginTokens).where(eq(schema.loginTokens.email, student.email));
    expect(stored).toMatchObject({ purpose: 'first_access' });
    expect(stored!.expiresAt - stored!.createdAt).toBeLessThanOrEqual(24 * 3_600_000);
    const signedIn = await testClient().post('/api/auth/magic-link/verify', { token });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user).toMatchObject({ email: student.email, role: 'student' });
    expect((await testClient().post('/api/auth/magic-link/verify', { token })).status).toBe(410);
  });

  it('gives an existing account a sign-in link instead of a first-access one', async () => {
    const teacher = await givenTeacher();
    const [first, second] = await givenSlots(teacher, 2, 72);
    const student = await givenStudent(teacher);
    await student.portal.book(first!);
    await student.portal.book(second!);
    const tokens = await db().select().from(schema.loginTokens).where(eq(schema.loginTokens.email, student.email));
    expect(tokens.map((t) => t.purpose).sort()).toEqual(['first_access', 'login']);
    const emails = await waitForDistinctEmails(student.email, 2);
    expect(emails.filter((e) => e.text.includes('We made you a Slotcast account'))).toHaveLength(1);
  });

  it('sends the teacher a short notice, unless turned off', async () => {
    const teacher = await givenTeacher();
    const [one, two] = await givenSlots(teacher, 2, 72);
    const student = await givenStudent(teacher, { name: 'Lena' });
    await student.portal.book(one!);
    const notice = await waitForEmail(teacher.email, { subjectIncludes: 'New booking' });
    expect(notice.subject).toContain('Lena');
    await teacher.api.patch('/api/teacher/settings', { notifyOnBooking: false });
    await student.portal.book(two!);
    // A booking writes its emails' outbox rows with it: the second booking queued no notice, so once the
    // teacher's outbox is settled the first notice is the only one.
    await waitForDistinctEmails(student.email, 2);
    await expectEmailCountTo(teacher.email, 1, { template: 'booking-notice', subjectIncludes: 'New booking' });
  });
});
