import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import * as schema from '../../db/schema.ts';
import type { Json } from '../support/client.ts';
import { db } from '../support/database.ts';
import { openLive } from '../support/live.ts';
import { waitForDistinctEmails, waitForEmail } from '../support/mailbox.ts';
import { givenApiKey, givenSlots, givenStudent, givenTeacher } from '../support/scenario.ts';
import { uniqueEmail, uniqueIp } from '../support/stack.ts';
import { hoursFromNow, inFreshRateWindow } from '../support/time.ts';
import { expectEmailCountTo } from '../support/outbox.ts';

const bookingBody = (overrides: Record<string, unknown> = {}) => ({
  email: uniqueEmail('external'),
  name: 'Lena Ortiz',
  start: hoursFromNow(50),
  lengthMinutes: 45,
  subject: 'Trial lesson',
  externalId: `form-${crypto.randomUUID()}`,
  ...overrides,
});

describe('teacher API keys', () => {
  it('shows a new key once, lists it by name and first characters only, and stores only its hash', async () => {
    const teacher = await givenTeacher();
    const created = await teacher.api.post('/api/teacher/api-keys', { name: 'Website form' });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^sc_[a-z2-7]{52}$/);
    const listed = await teacher.api.get('/api/teacher/api-keys');
    expect(listed.body.keys).toEqual([
      expect.objectContaining({
        id: created.body.key.id,
        name: 'Website form',
        prefix: created.body.secret.slice(0, 10),
        revokedAt: null,
      }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
    const [row] = await db().select().from(schema.apiKeys).where(eq(schema.apiKeys.id, created.body.key.id));
    expect(JSON.stringify(row)).not.toContain(created.body.secret.slice(3));
  });

  it('refuses a nameless key and stops a revoked key at once', async () => {
    const teacher = await givenTeacher();
    expect((await teacher.api.post('/api/teacher/api-keys', { name: '  ' })).status).toBe(400);
    const key = await givenApiKey(teacher);
    expect((await key.confirm(bookingBody())).status).toBe(201);
    const revoked = await teacher.api.post(`/api/teacher/api-keys/${key.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.key.revokedAt).toEqual(expect.any(Number));
    const refused = await key.confirm(bookingBody());
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('invalid_api_key');
  });

  it('lets a teacher revoke only their own keys', async () => {
    const [owner, other] = [await givenTeacher(), await givenTeacher()];
    const key = await givenApiKey(owner);
    expect((await other.api.post(`/api/teacher/api-keys/${key.id}/revoke`)).status).toBe(404);
    expect((await other.api.get('/api/teacher/api-keys')).body.keys).toEqual([]);
    expect((await key.confirm(bookingBody())).status).toBe(201);
  });

  it('caps the number of active keys', async () => {
    const teacher = await givenTeacher();
    for (let i = 0; i < 10; i++)
      expect((await teacher.api.post('/api/teacher/api-keys', { name: `Key ${i}` })).status).toBe(201);
    const eleventh = await teacher.api.post('/api/teacher/api-keys', { name: 'One too many' });
    expect(eleventh.status).toBe(409);
    expect(eleventh.body.error.code).toBe('too_many_keys');
  });
});

describe('POST /api/booking/confirm', () => {
  it('books a new time: creates the slot, enrols the student, makes the account and emails the student and the teacher', async () => {
    const teacher = await givenTeacher({ displayName: 'Mr Okafor', timeZone: 'Europe/Berlin' });
    const key = await givenApiKey(teacher);
    const body = bookingBody({ timeZone: 'Asia/Tokyo' });
    const answer = await key.confirm(body);
    expect(answer.status).toBe(201);
    expect(answer.body.booking).toMatchObject({
      externalId: body.externalId,
      status: 'scheduled',
      subject: 'Trial lesson',
      student: { name: 'Lena Ortiz', email: body.email },
    });
    expect(answer.body.booking.endsAt - answer.body.booking.startsAt).toBe(45 * 60_000);

    const [slot] = await db().select().from(schema.slots).where(eq(schema.slots.id, answer.body.booking.slotId));
    expect(slot).toMatchObject({ teacherId: teacher.id, status: 'booked', startsAt: Date.parse(body.start) });
    const [enrolled] = await db()
      .select()
      .from(schema.students)
      .where(and(eq(schema.students.teacherId, teacher.id), eq(schema.students.email, body.email)));
    const [user] = await db().select().from(schema.users).where(eq(schema.users.email, body.email));
    expect(user).toMatchObject({ role: 'student', createdFromBookingId: answer.body.booking.id });
    expect(enrolled!.userId).toBe(user!.id);
    const [booking] = await db().select().from(schema.bookings).where(eq(schema.bookings.id, answer.body.booking.id));
    expect(booking).toMatchObject({ source: 'api', studentId: enrolled!.id, studentUserId: user!.id });

    const email = await waitForEmail(body.email, { subjectIncludes: 'Booked' });
    expect(email.text).toContain('(Tokyo, Japan Standard Time, GMT+9)');
    expect(email.text).toMatch(/\(Berlin, Central European (Standard |Summer )?Time, GMT\+[12]\)/);
    expect(email.text).not.toMatch(/Asia\/Tokyo|Europe\/Berlin/);
    expect(email.text).toMatch(/\/login\/verify#token=[a-z2-7]+/);
    expect(email.attachments.some((a) => a.filename === 'session.ics')).toBe(true);
    await waitForEmail(teacher.email, { subjectIncludes: 'Lena Ortiz' });
    // The student shows up in the teacher's list (which never says whether the address has an account).
    const listed = await teacher.api.get('/api/teacher/students');
    expect(listed.body.students).toContainEqual(expect.objectContaining({ email: body.email, availability: null }));
  });

  it('claims the teacher’s open slot at that exact time, and links an existing account', async () => {
    const teacher = await givenTeacher();
    const [earlier, slotId] = await givenSlots(teacher, 2, 60);
    const [slot] = await db().select().from(schema.slots).where(eq(schema.slots.id, slotId!));
    const enrolled = await givenStudent(teacher);
    // The student already has an account, from a booking through their link.
    expect((await enrolled.portal.book(earlier!)).status).toBe(201);
    const key = await givenApiKey(teacher);
    const answer = await key.confirm(
      bookingBody({
        email: enrolled.email.toUpperCase(),
        name: 'Another spelling',
        start: new Date(slot!.startsAt).toISOString(),
        end: new Date(slot!.endsAt).toISOString(),
        lengthMinutes: undefined,
      }),
    );
    expect(answer.status).toBe(201);
    expect(answer.body.booking).toMatchObject({
      slotId,
      student: { id: enrolled.id, name: enrolled.name },
    });
    expect(await db().select().from(schema.slots).where(eq(schema.slots.teacherId, teacher.id))).toHaveLength(2);
    expect(await db().select().from(schema.users).where(eq(schema.users.email, enrolled.email))).toHaveLength(1);
    // Two confirmations: only the first one, which made the account, says so.
    const emails = await waitForDistinctEmails(enrolled.email, 2);
    expect(emails.filter((e) => e.text.includes('We made you a Slotcast account'))).toHaveLength(1);
  });

  it('is idempotent on the external id: the same request twice, even at once, is one booking and one email', async () => {
    const teacher = await givenTeacher();
    const key = await givenApiKey(teacher);
    const body = bookingBody();
    const [a, b] = await Promise.all([key.confirm(body), key.confirm(body)]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.booking.id).toBe(b.body.booking.id);
    const again = await key.confirm(body);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.booking).toEqual((a.status === 201 ? a : b).body.booking);
    expect(
      await db().select().from(schema.bookings).where(eq(schema.bookings.externalId, body.externalId)),
    ).toHaveLength(1);
    // The outbox rows were written with the booking; once they are settled, one email is exactly one.
    await expectEmailCountTo(body.email, 1);
  });

  it('refuses an external id reused for a different booking, and changes nothing', async () => {
    const teacher = await givenTeacher();
    const key = await givenApiKey(teacher);
    const first = bookingBody();
    expect((await key.confirm(first)).status).toBe(201);
    const reused = await key.confirm({ ...first, start: hoursFromNow(80) });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('external_id_reused');
    expect(await db().select().from(schema.slots).where(eq(schema.slots.teacherId, teacher.id))).toHaveLength(1);
  });

  it('never double-books: a booked time or an overlapping one is refused with nothing written', async () => {
    const teacher = await givenTeacher({ bufferMinutes: 15 });
    const key = await givenApiKey(teacher);
    const start = hoursFromNow(70);
    expect((await key.confirm(bookingBody({ start, lengthMinutes: 60 }))).status).toBe(201);
    const taken = await key.confirm(bookingBody({ start, lengthMinutes: 60 }));
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('slot_taken');
    const overlapping = bookingBody({
      start: new Date(Date.parse(start) + 30 * 60_000).toISOString(),
      lengthMinutes: 60,
    });
    const refused = await key.confirm(overlapping);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('slot_overlap');
    // Nothing of the refused bookings exists: no slot, no student, no account, no email.
    expect(await db().select().from(schema.slots).where(eq(schema.slots.teacherId, teacher.id))).toHaveLength(1);
    expect(await db().select().from(schema.users).where(eq(schema.users.email, overlapping.email))).toEqual([]);
    expect(await db().select().from(schema.students).where(eq(schema.students.email, overlapping.email))).toEqual([]);
  });

  it('validates the request and answers with the field at fault', async () => {
    const teacher = await givenTeacher();
    const key = await givenApiKey(teacher);
    const cases: [Record<string, unknown>, string][] = [
      [{ email: 'not-an-email' }, 'email'],
      [{ externalId: '' }, 'externalId'],
      [{ start: 'tomorrow at nine' }, 'start'],
      [{ lengthMinutes: 2 }, 'lengthMinutes'],
      [{ lengthMinutes: undefined, end: hoursFromNow(40) }, 'end'],
      [{ surprise: true }, ''],
    ];
    for (const [change, path] of cases) {
      const answer = await key.confirm(bookingBody(change));
      expect(answer.status, JSON.stringify(change)).toBe(400);
      expect(answer.body.error.code).toBe('invalid_request');
      if (path) expect(answer.body.error.details.issues[0].path).toBe(path);
    }
    const past = await key.confirm(bookingBody({ start: hoursFromNow(-5) }));
    expect(past.status).toBe(409);
    expect(past.body.error.code).toBe('slot_past');
    expect(await db().select().from(schema.slots).where(eq(schema.slots.teacherId, teacher.id))).toEqual([]);
  });

  it('refuses a missing, malformed or unknown key, and a browser session instead of a key', async () => {
    const teacher = await givenTeacher();
    const key = await givenApiKey(teacher);
    for (const bad of ['', 'sc_short', `sc_${'a'.repeat(52)}`]) {
      const answer = await key.confirm(bookingBody(), { key: bad });
      expect(answer.status).toBe(401);
    }
    const withCookie = await teacher.api.post('/api/booking/confirm', bookingBody());
    expect(withCookie.status).toBe(401);
  });

  it('publishes the booking live to the teacher’s calendar', async () => {
    const teacher = await givenTeacher();
    const key = await givenApiKey(teacher);
    const live = await openLive('/api/live/teacher', teacher.cookie);
    try {
      await live.next((m) => m.type === 'hello');
      const answer = await key.confirm(bookingBody({ name: 'Live Lucy' }));
      const event = await live.next(
        (m) => m.type === 'event' && m.event.slots?.some((s: Json) => s.id === answer.body.booking.slotId),
      );
      expect(event.event.slots[0]).toMatchObject({ status: 'booked', booking: { studentName: 'Live Lucy' } });
    } finally {
      await live.close();
    }
  });

  it('rate-limits each key, whatever address the calls come from, and each address, whatever key it sends', async () => {
    const teacher = await givenTeacher();
    const key = await givenApiKey(teacher);
    await inFreshRateWindow(30);
    // Well-formed requests that fail cheaply after the key is checked (the time is past), each from a new address.
    const statuses: number[] = [];
    for (let i = 0; i < 70 && !statuses.includes(429); i++)
      statuses.push((await key.confirm(bookingBody({ start: hoursFromNow(-3) }), { ip: uniqueIp() })).status);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.length).toBe(61);

    // Guessing keys from one address hits the per-address limit.
    await inFreshRateWindow(30);
    const guesses: number[] = [];
    for (let i = 0; i < 70 && !guesses.includes(429); i++)
      guesses.push((await key.confirm(bookingBody(), { key: `sc_${'b'.repeat(52)}` })).status);
    expect(guesses.at(-1)).toBe(429);
    expect(new Set(guesses.slice(0, -1))).toEqual(new Set([401]));
  }, 90_000);
});
