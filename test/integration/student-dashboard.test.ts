import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as schema from '../../db/schema.ts';
import { testClient, type Json } from '../support/client.ts';
import { db } from '../support/database.ts';
import { openLive } from '../support/live.ts';
import { waitForEmail } from '../support/mailbox.ts';
import { givenSlots, givenStudent, givenTeacher, signedInAs } from '../support/scenario.ts';
import { hoursFromNow, inFreshRateWindow } from '../support/time.ts';
import { refusal } from '../support/refusal.ts';

/** A student who booked through a link, signed in to their new account. */
async function givenBookedStudent(
  teacher: Awaited<ReturnType<typeof givenTeacher>>,
  slotIds: string[],
  student?: Awaited<ReturnType<typeof givenStudent>>,
) {
  const enrolled = student ?? (await givenStudent(teacher));
  const bookings = [];
  for (const id of slotIds) bookings.push((await enrolled.portal.book(id)).body.booking);
  const [user] = await db().select().from(schema.users).where(eq(schema.users.email, enrolled.email));
  return { ...enrolled, user: user!, bookings, api: await signedInAs(user!.id) };
}

describe('weekly availability', () => {
  it('saves and loads back the time zone, ranges, notes and preferences', async () => {
    const teacher = await givenTeacher();
    const student = await givenBookedStudent(teacher, await givenSlots(teacher, 1));
    expect((await student.api.get('/api/student/availability')).body.availability).toBeNull();
    const saved = await student.api.post('/api/student/availability', {
      timeZone: 'America/Chicago',
      weeklyRanges: [
        { day: 3, start: '16:00', end: '18:00' },
        { day: 1, start: '09:00', end: '11:00' },
        { day: 1, start: '14:00', end: '15:30' },
      ],
      notes: 'No Fridays',
      preferences: 'Exam practice',
    });
    expect(saved.status).toBe(200);
    const loaded = (await student.api.get('/api/student/availability')).body.availability;
    expect(loaded).toMatchObject({ timeZone: 'America/Chicago', notes: 'No Fridays', preferences: 'Exam practice' });
    expect(loaded.weeklyRanges).toEqual([
      { day: 1, start: '09:00', end: '11:00' },
      { day: 1, start: '14:00', end: '15:30' },
      { day: 3, start: '16:00', end: '18:00' },
    ]);
    // Saving again replaces, it doesn't add.
    await student.api.post('/api/student/availability', {
      timeZone: 'Europe/Paris',
      weeklyRanges: [{ day: 2, start: '10:00', end: '12:00' }],
    });
    expect((await student.api.get('/api/student/availability')).body.availability).toMatchObject({
      timeZone: 'Europe/Paris',
      weeklyRanges: [{ day: 2, start: '10:00', end: '12:00' }],
      notes: '',
    });
    expect(
      await db().select().from(schema.availability).where(eq(schema.availability.studentUserId, student.user.id)),
    ).toHaveLength(1);
  });

  it('refuses ranges that end before they start or overlap, and unknown zones, changing nothing', async () => {
    const teacher = await givenTeacher();
    const student = await givenBookedStudent(teacher, await givenSlots(teacher, 1));
    await student.api.post('/api/student/availability', {
      timeZone: 'UTC',
      weeklyRanges: [{ day: 1, start: '09:00', end: '10:00' }],
    });
    const cases: [unknown, RegExp][] = [
      [{ timeZone: 'UTC', weeklyRanges: [{ day: 1, start: '11:00', end: '10:00' }] }, /start before/],
      [
        {
          timeZone: 'UTC',
          weeklyRanges: [
            { day: 2, start: '09:00', end: '11:00' },
            { day: 2, start: '10:30', end: '12:00' },
          ],
        },
        /overlaps/,
      ],
      [{ timeZone: 'Moon/Base', weeklyRanges: [] }, /time zone/i],
      [
        { timeZone: 'UTC', weeklyRanges: [{ day: 8, start: '09:00', end: '10:00' }] },
        /^weeklyRanges\.0\.day: Enter a number no larger than 7\.$/,
      ],
      [{ timeZone: 'UTC', weeklyRanges: [], extra: true }, /./],
    ];
    for (const [body, message] of cases) {
      const result = await student.api.post('/api/student/availability', body);
      expect(result.status, JSON.stringify(body)).toBe(400);
      expect(refusal(result.body.error)).toMatch(message);
    }
    expect((await student.api.get('/api/student/availability')).body.availability.weeklyRanges).toEqual([
      { day: 1, start: '09:00', end: '10:00' },
    ]);
  });
});

describe('availability changes are rate-limited', () => {
  it('refuses the 21st save in a minute with 429 and a sentence, and the refused save changes nothing', async () => {
    const teacher = await givenTeacher();
    const student = await givenBookedStudent(teacher, await givenSlots(teacher, 1));
    const mondays = { timeZone: 'UTC', weeklyRanges: [{ day: 1, start: '09:00', end: '10:00' }] };
    await inFreshRateWindow(40);
    for (let i = 0; i < 20; i++)
      expect((await student.api.post('/api/student/availability', mondays)).status).toBe(200);
    const refused = await student.api.post('/api/student/availability', {
      timeZone: 'Europe/Berlin',
      weeklyRanges: [{ day: 2, start: '17:00', end: '19:00' }],
      notes: 'Tuesdays instead',
    });
    expect(refused.status).toBe(429);
    expect(refusal(refused.body.error)).toMatch(
      /^Too many availability changes\. Please wait (a second|\d+ seconds) and try again\.$/,
    );
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await student.api.get('/api/student/availability')).body.availability).toMatchObject({
      ...mondays,
      notes: '',
    });
    // Waiting for a fresh rate-limit window alone can take 40 s.
  }, 120_000);
});

describe('the sessions lists', () => {
  it('shows upcoming sessions soonest first and previous ones latest first, across teachers', async () => {
    const a = await givenTeacher({ displayName: 'Teacher A' });
    const b = await givenTeacher({ displayName: 'Teacher B' });
    const student = await givenBookedStudent(a, await givenSlots(a, 3, 48));
    // The same person, enrolled with a second teacher under the same email.
    const { body } = await b.api.post('/api/teacher/students', { name: student.name, email: student.email });
    const link = await b.api.post(`/api/teacher/students/${body.student.id}/share-link`, {});
    const [bSlot] = await givenSlots(b, 1, 30);
    await testClient().post(`/api/booking/${link.body.link.url.split('/').at(-1)}/book`, { slotId: bSlot });
    // One canceled, one already over.
    await student.portal.cancel(student.bookings[2].id);
    await db()
      .update(schema.bookings)
      .set({ startsAt: Date.now() - 7_200_000, endsAt: Date.now() - 3_600_000 })
      .where(eq(schema.bookings.id, student.bookings[1].id));

    const upcoming = (await student.api.get('/api/student/sessions?filter=upcoming')).body.sessions;
    expect(upcoming.map((s: Json) => s.teacher.name)).toEqual(['Teacher B', 'Teacher A']);
    expect(upcoming[0].startsAt).toBeLessThan(upcoming[1].startsAt);
    expect(upcoming.every((s: Json) => s.status === 'scheduled')).toBe(true);

    const previous = (await student.api.get('/api/student/sessions?filter=previous')).body.sessions;
    expect(previous.map((s: Json) => s.id).sort()).toEqual([student.bookings[1].id, student.bookings[2].id].sort());
    expect(previous[0].startsAt).toBeGreaterThan(previous[1].startsAt);
    // An unmarked past session is "past", never "completed" unless the teacher said so.
    expect(previous.map((s: Json) => s.status).sort()).toEqual(['canceled', 'past']);
  });

  it('pages through many sessions with a cursor, without repeats or gaps', async () => {
    const teacher = await givenTeacher();
    const slots = await givenSlots(teacher, 7, 48);
    const student = await givenBookedStudent(teacher, slots);
    const first = await student.api.get('/api/student/sessions?filter=upcoming&limit=5');
    expect(first.body.sessions).toHaveLength(5);
    expect(first.body.nextCursor).toBeTruthy();
    const second = await student.api.get(
      `/api/student/sessions?filter=upcoming&limit=5&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(second.body.sessions).toHaveLength(2);
    expect(second.body.nextCursor).toBeNull();
    const all = [...first.body.sessions, ...second.body.sessions];
    expect(new Set(all.map((s: Json) => s.id)).size).toBe(7);
    expect(all.map((s: Json) => s.startsAt)).toEqual([...all.map((s: Json) => s.startsAt)].sort((x, y) => x - y));
    expect((await student.api.get('/api/student/sessions?cursor=nonsense')).status).toBe(400);
  });
});

describe('cancel and add to calendar from the dashboard', () => {
  it('cancels an upcoming session within the window: the slot reopens live, the link gets its use back', async () => {
    const teacher = await givenTeacher({ cancellationWindowMinutes: 60 });
    const [slotId] = await givenSlots(teacher, 1);
    const student = await givenBookedStudent(teacher, [slotId!], await givenStudent(teacher, { maxUses: 1 }));
    const live = await openLive('/api/live/teacher', teacher.cookie);
    try {
      await live.next((m) => m.type === 'hello');
      const [session] = (await student.api.get('/api/student/sessions')).body.sessions;
      expect(session).toMatchObject({
        id: student.bookings[0].id,
        canCancel: true,
        cancelUntil: session.startsAt - 60 * 60_000,
      });
      const canceled = await student.api.post(`/api/student/sessions/${session.id}/cancel`);
      expect(canceled.status).toBe(200);
      const event = await live.next((m) => m.type === 'event' && m.event.slots?.[0]?.id === slotId);
      expect(event.event.slots[0]).toMatchObject({ status: 'open', booking: null });
    } finally {
      await live.close();
    }
    expect((await student.api.get('/api/student/sessions')).body.sessions).toEqual([]);
    expect((await student.api.get('/api/student/sessions?filter=previous')).body.sessions[0]).toMatchObject({
      status: 'canceled',
    });
    // The one-booking link can book again.
    expect((await student.portal.book(slotId!)).status).toBe(201);
    const again = await student.api.post(`/api/student/sessions/${student.bookings[0].id}/cancel`);
    expect(again.status).toBe(409);
  });

  it('refuses to cancel inside the teacher’s window, and another student’s session is not found', async () => {
    const teacher = await givenTeacher({ cancellationWindowMinutes: 3 * 24 * 60 });
    const [mine, theirs] = await givenSlots(teacher, 2);
    const student = await givenBookedStudent(teacher, [mine!]);
    const other = await givenBookedStudent(teacher, [theirs!]);
    const late = await student.api.post(`/api/student/sessions/${student.bookings[0].id}/cancel`);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('cancellation_window_passed');
    expect(late.body.error.message).toContain('contact');
    const [session] = (await student.api.get('/api/student/sessions')).body.sessions;
    expect(session.canCancel).toBe(false);
    const foreign = await student.api.post(`/api/student/sessions/${other.bookings[0].id}/cancel`);
    expect(foreign.status).toBe(404);
    expect((await student.api.get(`/api/student/sessions/${other.bookings[0].id}/calendar.ics`)).status).toBe(404);
    const [row] = await db().select().from(schema.bookings).where(eq(schema.bookings.id, other.bookings[0].id));
    expect(row!.status).toBe('scheduled');
  });

  it('downloads the session as a calendar file with the same event id as the email’s', async () => {
    const teacher = await givenTeacher({ displayName: 'Dr Chen' });
    const [slotId] = await givenSlots(teacher, 1);
    const student = await givenBookedStudent(teacher, [slotId!]);
    const booking = student.bookings[0];
    const file = await student.api.get(`/api/student/sessions/${booking.id}/calendar.ics`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toContain('text/calendar');
    expect(file.headers.get('content-disposition')).toContain('attachment');
    const utc = (ms: number) =>
      new Date(ms)
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, '');
    expect(file.body).toContain(`UID:${booking.id}@slotcast`);
    expect(file.body).toContain(`DTSTART:${utc(booking.startsAt)}`);
    expect(file.body).toContain(`DTEND:${utc(booking.endsAt)}`);
    expect(file.body).toContain('SUMMARY:Lesson 1 with Dr Chen');
    const email = await waitForEmail(student.email, { subjectIncludes: 'Booked' });
    const attached = Buffer.from(
      email.attachments.find((a) => a.filename === 'session.ics')!.contentBase64,
      'base64',
    ).toString();
    expect(attached).toContain(`UID:${booking.id}@slotcast`);
  });
});

describe('who reaches what', () => {
  it('keeps students, teachers and strangers to their own endpoints and objects', async () => {
    const teacher = await givenTeacher();
    const [s1, s2] = await givenSlots(teacher, 2, 48);
    const ada = await givenBookedStudent(teacher, [s1!]);
    const ben = await givenBookedStudent(teacher, [s2!]);
    // Students: their own sessions only, no teacher endpoint.
    expect((await ada.api.get('/api/student/sessions')).body.sessions.map((s: Json) => s.id)).toEqual([
      ada.bookings[0].id,
    ]);
    expect(JSON.stringify((await ben.api.get('/api/student/sessions')).body)).not.toContain(ada.bookings[0].id);
    for (const path of ['/api/teacher/students', '/api/teacher/settings', `/api/teacher/calendar?from=0&to=1`])
      expect((await ada.api.get(path)).status, path).toBe(403);
    expect((await ada.api.post('/api/teacher/slots', { start: hoursFromNow(48) })).status).toBe(403);
    // Teachers: no student endpoint.
    expect((await teacher.api.get('/api/student/sessions')).status).toBe(403);
    expect((await teacher.api.post('/api/student/availability', { timeZone: 'UTC', weeklyRanges: [] })).status).toBe(
      403,
    );
    // Strangers: nothing.
    expect((await testClient().get('/api/student/sessions')).status).toBe(401);
    expect((await testClient().get('/api/student/availability')).status).toBe(401);
  });
});

describe('availability, seen by the teacher', () => {
  it("shows a teacher their own students' availability, and no other teacher's", async () => {
    const teacher = await givenTeacher();
    const student = await givenBookedStudent(teacher, await givenSlots(teacher, 1));
    await student.api.post('/api/student/availability', {
      timeZone: 'Europe/Madrid',
      weeklyRanges: [{ day: 4, start: '18:00', end: '20:00' }],
      notes: 'Thursdays best',
    });
    const mine = (await teacher.api.get('/api/teacher/students')).body.students[0];
    expect(mine.availability).toMatchObject({
      timeZone: 'Europe/Madrid',
      weeklyRanges: [{ day: 4, start: '18:00', end: '20:00' }],
      notes: 'Thursdays best',
    });
    const other = await givenTeacher();
    expect(JSON.stringify((await other.api.get('/api/teacher/students')).body)).not.toContain('Thursdays best');
  });
});
