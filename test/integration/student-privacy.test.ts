/**
 * What one teacher can learn about another teacher's students (DESIGN.md "Who sees a student's availability"):
 * a teacher sees a student's availability, notes and preferences only while the student shares them with that
 * teacher; nothing a teacher sees says whether an address already has a Slotcast account; and one person can
 * be a student and a teacher at once.
 */
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import * as schema from '../../db/schema.ts';
import { testClient, type Json, type TestClient } from '../support/client.ts';
import { db } from '../support/database.ts';
import { tokenFromEmail, waitForEmail } from '../support/mailbox.ts';
import {
  givenApiKey,
  givenEnrolledStudent,
  givenShareLink,
  givenSlots,
  givenStudent,
  givenTeacher,
  signedInAs,
  type GivenTeacher,
} from '../support/scenario.ts';
import { uniqueEmail, uniqueIp } from '../support/stack.ts';
import { hoursFromNow } from '../support/time.ts';

const ADA_FREE = {
  timeZone: 'Europe/Rome',
  weeklyRanges: [{ day: 2, start: '10:00', end: '12:00' }],
  notes: 'Dyslexic, prefers spoken explanations',
  preferences: 'Mornings',
};

/** Teacher A's student Ada: booked through A's link (which made her account) and said when she's free. */
async function givenAdaWithTeacherA() {
  const teacherA = await givenTeacher({ displayName: 'Ms Aalto' });
  const [slot] = await givenSlots(teacherA, 1, 60);
  const ada = await givenStudent(teacherA, { name: 'Ada' });
  expect((await ada.portal.book(slot!)).status).toBe(201);
  const [user] = await db().select().from(schema.users).where(eq(schema.users.email, ada.email));
  const api = await signedInAs(user!.id);
  expect((await api.post('/api/student/availability', ADA_FREE)).status).toBe(200);
  return { teacherA, ada: { ...ada, userId: user!.id, api } };
}

/** What teacher sees of one of their students in the list, found by address. */
async function listedAs(teacher: GivenTeacher, email: string) {
  const list = await teacher.api.get('/api/teacher/students');
  expect(list.status).toBe(200);
  return list.body.students.find((s: Json) => s.email === email);
}

const confirmBody = (email: string, hoursAhead: number) => ({
  email,
  name: 'Ada Lovelace',
  start: hoursFromNow(hoursAhead),
  lengthMinutes: 30,
  externalId: `ext-${crypto.randomUUID()}`,
});

describe('a teacher sees only what a student shares with them', () => {
  it('teacher B who enrols A’s student’s address and confirms a booking with an API key sees nothing until she ticks B', async () => {
    const { teacherA, ada } = await givenAdaWithTeacherA();
    // The teacher she booked through her link sees what she said.
    expect((await listedAs(teacherA, ada.email)).availability).toMatchObject(ADA_FREE);

    const teacherB = await givenTeacher({ displayName: 'Mr Brandt' });
    expect((await teacherB.api.post('/api/teacher/students', { name: 'Ada?', email: ada.email })).status).toBe(201);
    const key = await givenApiKey(teacherB);
    expect((await key.confirm(confirmBody(ada.email, 70))).status).toBe(201);
    const seenByB = await listedAs(teacherB, ada.email);
    expect(seenByB.availability).toBeNull();
    const everythingBSees = JSON.stringify((await teacherB.api.get('/api/teacher/students')).body);
    for (const secret of [ADA_FREE.notes, ADA_FREE.preferences, ADA_FREE.timeZone])
      expect(everythingBSees).not.toContain(secret);

    // She ticks B on her dashboard: B sees it; she stops: B sees nothing again. A is unaffected throughout.
    const shared = await ada.api.post(`/api/student/sharing/${teacherB.id}`, { share: true });
    expect(shared.status).toBe(200);
    expect(shared.body.teacher).toMatchObject({ teacher: { id: teacherB.id }, sharing: true });
    expect((await listedAs(teacherB, ada.email)).availability).toMatchObject(ADA_FREE);
    expect((await ada.api.post(`/api/student/sharing/${teacherB.id}`, { share: false })).status).toBe(200);
    expect((await listedAs(teacherB, ada.email)).availability).toBeNull();
    expect((await listedAs(teacherA, ada.email)).availability).toMatchObject(ADA_FREE);
  });

  it('booking through the teacher’s own link for someone else’s address shares nothing, signed in or not', async () => {
    const { ada } = await givenAdaWithTeacherA();
    const teacherB = await givenTeacher();
    const [first, second] = await givenSlots(teacherB, 2, 80);
    const enrolled = await teacherB.api.post('/api/teacher/students', { name: 'Ada', email: ada.email });
    const link = await givenShareLink(teacherB, enrolled.body.student.id);
    // B opens their own link and books as Ada, anonymously and then from B's own signed-in tab.
    expect((await link.portal.book(first!)).status).toBe(201);
    expect((await teacherB.api.post(`/api/booking/${link.token}/book`, { slotId: second! })).status).toBe(201);
    expect((await listedAs(teacherB, ada.email)).availability).toBeNull();
  });

  it('a booking she makes through a new teacher’s link while signed in shares with that teacher', async () => {
    const { ada } = await givenAdaWithTeacherA();
    const teacherC = await givenTeacher();
    const [slot] = await givenSlots(teacherC, 1, 80);
    const enrolled = await teacherC.api.post('/api/teacher/students', { name: 'Ada', email: ada.email });
    const link = await givenShareLink(teacherC, enrolled.body.student.id);
    expect((await ada.api.post(`/api/booking/${link.token}/book`, { slotId: slot! })).status).toBe(201);
    expect((await listedAs(teacherC, ada.email)).availability).toMatchObject(ADA_FREE);
  });

  it('once she stops sharing with a teacher, booking through that teacher’s link again doesn’t share again', async () => {
    const { teacherA, ada } = await givenAdaWithTeacherA();
    expect((await ada.api.post(`/api/student/sharing/${teacherA.id}`, { share: false })).status).toBe(200);
    const [slot] = await givenSlots(teacherA, 1, 90);
    expect((await ada.api.post(`/api/booking/${ada.token}/book`, { slotId: slot! })).status).toBe(201);
    expect((await listedAs(teacherA, ada.email)).availability).toBeNull();
  });
});

describe('the student’s “Who can see your availability”', () => {
  it('lists every teacher who has her address, with what each can see, and toggles both ways', async () => {
    const { teacherA, ada } = await givenAdaWithTeacherA();
    // B only enrolled the address (no booking, no link): B has it, so B is listed too.
    const teacherB = await givenTeacher({ displayName: 'Mr Brandt' });
    await teacherB.api.post('/api/teacher/students', { name: 'A. L.', email: ada.email });
    const stranger = await givenTeacher({ displayName: 'Someone Else' });
    await givenEnrolledStudent(stranger);

    const listed = await ada.api.get('/api/student/sharing');
    expect(listed.status).toBe(200);
    // By the teachers' names: Mr Brandt, then Ms Aalto.
    expect(listed.body.teachers).toEqual([
      {
        teacher: { id: teacherB.id, name: 'Mr Brandt' },
        enrolledAs: 'A. L.',
        sharing: false,
        since: null,
        canSee: { availability: false, notes: false, preferences: false },
      },
      {
        teacher: { id: teacherA.id, name: 'Ms Aalto' },
        enrolledAs: 'Ada',
        sharing: true,
        since: { at: expect.any(Number), source: 'portal_booking' },
        canSee: { availability: true, notes: true, preferences: true },
      },
    ]);

    const on = await ada.api.post(`/api/student/sharing/${teacherB.id}`, { share: true });
    expect(on.body.teacher).toMatchObject({ sharing: true, since: { source: 'student_choice' } });
    const off = await ada.api.post(`/api/student/sharing/${teacherA.id}`, { share: false });
    expect(off.body.teacher).toMatchObject({ sharing: false, canSee: { availability: false } });
    const after = (await ada.api.get('/api/student/sharing')).body.teachers;
    expect(after.map((t: Json) => [t.teacher.id, t.sharing])).toEqual([
      [teacherB.id, true],
      [teacherA.id, false],
    ]);
    expect((await listedAs(teacherA, ada.email)).availability).toBeNull();
    expect((await listedAs(teacherB, ada.email)).availability).toMatchObject(ADA_FREE);

    // Each choice is audited as the student's.
    const audit = await db()
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.actorId, ada.userId), eq(schema.auditLog.actorType, 'student')));
    expect(audit.map((a) => [a.action, a.targetId])).toEqual(
      expect.arrayContaining([
        ['availability.shared', teacherB.id],
        ['availability.unshared', teacherA.id],
      ]),
    );

    // A teacher who doesn't have her address can't be chosen, and bad input changes nothing.
    expect((await ada.api.post(`/api/student/sharing/${stranger.id}`, { share: true })).status).toBe(404);
    const bad = await ada.api.post(`/api/student/sharing/${teacherA.id}`, { share: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toEqual(expect.any(String));
    expect((await ada.api.post(`/api/student/sharing/not-an-id`, { share: true })).status).toBe(400);
    expect((await listedAs(teacherA, ada.email)).availability).toBeNull();
    // Another site can't flip it from her browser.
    const forged = await ada.api.request('POST', `/api/student/sharing/${teacherA.id}`, {
      body: { share: true },
      headers: { origin: 'https://evil.example' },
    });
    expect(forged.status).toBe(403);
    expect((await listedAs(teacherA, ada.email)).availability).toBeNull();
  });
});

describe('a teacher can’t tell whether an address has a Slotcast account', () => {
  /** A student account that exists before teacher B ever hears of the address. */
  async function givenExistingAccount(): Promise<string> {
    const email = uniqueEmail('existing');
    const now = Date.now();
    await db()
      .insert(schema.users)
      .values({ id: crypto.randomUUID(), email, name: 'Has Account', role: 'student', createdAt: now, updatedAt: now });
    return email;
  }

  /** An answer with what is expected to differ (ids, addresses, times) taken out. */
  function shape(value: Json, email: string): Json {
    return JSON.parse(
      JSON.stringify(value)
        .replaceAll(email, '<email>')
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
        .replace(/"ext-<id>"/g, '"<external>"')
        .replace(/"#[0-9a-f]{6}"/g, '"<color>"')
        .replace(/:\d{13}/g, ':0'),
    );
  }

  it('answers confirm, and lists the student, the same for a new and an existing address', async () => {
    const teacher = await givenTeacher();
    const key = await givenApiKey(teacher);
    const [fresh, existing] = [uniqueEmail('fresh'), await givenExistingAccount()];
    const existingBody = confirmBody(existing, 102);
    const newAnswer = await key.confirm(confirmBody(fresh, 100));
    const existingAnswer = await key.confirm(existingBody);
    expect([newAnswer.status, existingAnswer.status]).toEqual([201, 201]);
    expect(newAnswer.body.booking).not.toHaveProperty('account');
    expect(shape(existingAnswer.body, existing)).toEqual(shape(newAnswer.body, fresh));
    expect([...existingAnswer.headers.keys()].sort()).toEqual([...newAnswer.headers.keys()].sort());
    // The retry's answer too.
    const replay = await key.confirm(existingBody);
    expect(replay.body).toEqual(existingAnswer.body);

    const strip = (entry: Json, email: string) => {
      const { lastEmail, ...rest } = shape(entry, email);
      return { ...rest, lastEmail: lastEmail && { template: lastEmail.template } };
    };
    const [listedNew, listedExisting] = [await listedAs(teacher, fresh), await listedAs(teacher, existing)];
    expect(strip(listedExisting, existing)).toEqual(strip(listedNew, fresh));
    expect(listedExisting).not.toHaveProperty('hasAccount');
    expect(listedExisting.name).toBe('Ada Lovelace');
  });

  it('takes as long to confirm for an existing address as for a new one', async () => {
    const teacher = await givenTeacher();
    const key = await givenApiKey(teacher);
    const existing = await Promise.all(Array.from({ length: 20 }, () => givenExistingAccount()));
    const timings = { fresh: [] as number[], existing: [] as number[] };
    // Interleaved, so a busy moment on the machine falls on both alike.
    for (let i = 0; i < 20; i++) {
      for (const kind of i % 2 ? (['fresh', 'existing'] as const) : (['existing', 'fresh'] as const)) {
        const email = kind === 'fresh' ? uniqueEmail('fresh') : existing[i]!;
        const started = performance.now();
        const answer = await key.confirm(confirmBody(email, 200 + i * 4 + (kind === 'fresh' ? 0 : 2)), {
          ip: uniqueIp(),
        });
        timings[kind].push(performance.now() - started);
        expect(answer.status).toBe(201);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const ratio = median(timings.existing) / median(timings.fresh);
    // Both paths run the same statements (DESIGN.md); a generous band absorbs a shared, busy machine.
    expect(ratio, `median existing ${median(timings.existing)} ms, new ${median(timings.fresh)} ms`).toBeGreaterThan(
      0.5,
    );
    expect(ratio, `median existing ${median(timings.existing)} ms, new ${median(timings.fresh)} ms`).toBeLessThan(2);
  });
});

describe('one person, both roles', () => {
  async function signInWith(email: string, intent?: 'teach'): Promise<TestClient> {
    const tab = testClient({ ip: uniqueIp() });
    expect((await tab.post('/api/auth/magic-link', { email, ...(intent ? { intent } : {}) })).status).toBe(202);
    const kind = intent ? 'Create your Slotcast account' : 'Your Slotcast sign-in link';
    const token = tokenFromEmail(await waitForEmail(email, { subjectIncludes: kind }));
    expect((await tab.post('/api/auth/magic-link/verify', { token, timeZone: 'Europe/Lisbon' })).status).toBe(200);
    return tab;
  }

  it('a student whose account a booking made becomes a teacher with the same address and keeps her sessions', async () => {
    const { ada } = await givenAdaWithTeacherA();
    // Signing in as usual keeps her a student only.
    const asStudent = await signInWith(ada.email);
    expect((await asStudent.get('/api/auth/me')).body.areas).toEqual({ teacher: false, student: true });
    expect((await asStudent.get('/api/teacher/settings')).status).toBe(403);

    const both = await signInWith(ada.email, 'teach');
    const me = (await both.get('/api/auth/me')).body;
    expect(me.areas).toEqual({ teacher: true, student: true });
    expect(me.user.role).toBe('teacher');
    expect(me.teacher).toMatchObject({ timeZone: 'Europe/Lisbon' });
    expect((await both.get('/api/teacher/settings')).status).toBe(200);
    // Twice: the second write takes the remembered-session path, whose database check needs the teacher role.
    for (const hours of [300, 303])
      expect((await both.post('/api/teacher/slots', { start: hoursFromNow(hours) })).status).toBe(201);
    const sessions = await both.get('/api/student/sessions');
    expect(sessions.status).toBe(200);
    expect(sessions.body.sessions).toHaveLength(1);
    expect(await db().select().from(schema.users).where(eq(schema.users.email, ada.email))).toHaveLength(1);
  });

  it('a teacher who books a session with another teacher sees it on the student dashboard', async () => {
    const host = await givenTeacher({ displayName: 'Host' });
    const guest = await givenTeacher({ displayName: 'Guest' });
    expect((await guest.api.get('/api/student/sessions')).status).toBe(403);
    const [slot] = await givenSlots(host, 1, 60);
    const enrolled = await host.api.post('/api/teacher/students', { name: 'Guest', email: guest.email });
    const link = await givenShareLink(host, enrolled.body.student.id);
    expect((await link.portal.book(slot!)).status).toBe(201);

    expect((await guest.api.get('/api/auth/me')).body.areas).toEqual({ teacher: true, student: true });
    const sessions = await guest.api.get('/api/student/sessions');
    expect(sessions.status).toBe(200);
    expect(sessions.body.sessions).toEqual([
      expect.objectContaining({ teacher: expect.objectContaining({ name: 'Host' }) }),
    ]);
    expect((await guest.api.get('/api/teacher/settings')).status).toBe(200);
    // Still one account, still a teacher.
    const [user] = await db().select().from(schema.users).where(eq(schema.users.email, guest.email));
    expect(user!.role).toBe('teacher');
  });
});
