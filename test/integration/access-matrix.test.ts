/**
 * Who reaches what, as a matrix: every role (nobody, a student, a teacher, a share link, an API key) against
 * every endpoint, each aimed at someone else's object. Each row is asked for real; afterwards the owner's
 * objects are checked to be exactly as they were.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as schema from '../../db/schema.ts';
import { testClient, type TestClient, type Json } from '../support/client.ts';
import { db } from '../support/database.ts';
import { refusedUpgradeStatus } from '../support/live.ts';
import {
  givenApiKey,
  givenShareLink,
  givenSlots,
  givenStudent,
  givenTeacher,
  portalClient,
  signedInAs,
} from '../support/scenario.ts';
import { appUrl, uniqueEmail } from '../support/stack.ts';
import { daysFromToday, hoursFromNow } from '../support/time.ts';

type Role = 'nobody' | 'student' | 'otherStudent' | 'teacher' | 'otherTeacher';

interface World {
  clients: Record<Role, TestClient>;
  owner: {
    teacherId: string;
    slotId: string;
    studentId: string;
    bookingId: string;
    keyId: string;
    availability: unknown;
    /** Ada's address, which another teacher may type in too. */
    studentEmail: string;
  };
  otherToken: string;
  otherBookingId: string;
}

let world: World;

beforeAll(async () => {
  // The owner: a teacher with a slot, an enrolled student (Ada) who booked it and has an account and
  // availability, and an API key. The others: a second teacher with their own student (Ben) and booking.
  const owner = await givenTeacher();
  const [bookedSlot, openSlot] = await givenSlots(owner, 2, 60);
  const ada = await givenStudent(owner, { name: 'Ada' });
  const adaBooking = (await ada.portal.book(bookedSlot!)).body.booking;
  const [adaUser] = await db().select().from(schema.users).where(eq(schema.users.email, ada.email));
  const ownerKey = await givenApiKey(owner);

  const other = await givenTeacher();
  const [otherSlot] = await givenSlots(other, 1, 60);
  const ben = await givenStudent(other, { name: 'Ben' });
  const benBooking = (await ben.portal.book(otherSlot!)).body.booking;
  const [benUser] = await db().select().from(schema.users).where(eq(schema.users.email, ben.email));

  const adaApi = await signedInAs(adaUser!.id);
  const availability = {
    timeZone: 'Europe/Rome',
    weeklyRanges: [{ day: 2, start: '10:00', end: '12:00' }],
    notes: 'Ada only',
    preferences: '',
  };
  expect((await adaApi.post('/api/student/availability', availability)).status).toBe(200);
  world = {
    clients: {
      nobody: testClient(),
      student: adaApi,
      otherStudent: await signedInAs(benUser!.id),
      teacher: owner.api,
      otherTeacher: other.api,
    },
    owner: {
      teacherId: owner.id,
      slotId: openSlot!,
      studentId: ada.id,
      bookingId: adaBooking.id,
      keyId: ownerKey.id,
      availability,
      studentEmail: ada.email,
    },
    otherToken: ben.token,
    otherBookingId: benBooking.id,
  };
});

interface Row {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: (w: World) => string;
  body?: (w: World) => unknown;
  /** Expected status per role; roles left out aren't asked. */
  expect: Partial<Record<Role, number>>;
  /** What the answer must not contain (the owner's objects), for roles answered 200. */
  mustNotLeak?: (w: World) => string[];
}

const TEACHER_ONLY = { nobody: 401, student: 403, otherStudent: 403 } as const;
const STUDENT_ONLY = { nobody: 401, teacher: 403, otherTeacher: 403 } as const;

const rows: Row[] = [
  // The teacher's calendar and slots.
  {
    method: 'GET',
    path: () => `/api/teacher/calendar?from=${Date.now()}&to=${Date.now() + 7 * 864e5}`,
    expect: { ...TEACHER_ONLY, otherTeacher: 200 },
    mustNotLeak: (w) => [w.owner.slotId],
  },
  {
    method: 'POST',
    path: () => '/api/teacher/slots',
    body: () => ({ start: hoursFromNow(500) }),
    expect: TEACHER_ONLY,
  },
  {
    method: 'POST',
    path: () => '/api/teacher/slots/recurring',
    body: () => ({ days: [1], startTime: '09:00', from: daysFromToday(30), until: daysFromToday(60) }),
    expect: TEACHER_ONLY,
  },
  {
    method: 'POST',
    path: () => '/api/teacher/slots/cancel',
    body: (w) => ({ slotIds: [w.owner.slotId] }),
    expect: { ...TEACHER_ONLY, otherTeacher: 404 },
  },
  { method: 'GET', path: () => '/api/teacher/settings', expect: TEACHER_ONLY },
  {
    method: 'PATCH',
    path: () => '/api/teacher/settings',
    body: () => ({ displayName: 'Hijacked' }),
    expect: TEACHER_ONLY,
  },
  // The teacher's students, their links and availability.
  {
    method: 'GET',
    path: () => '/api/teacher/students',
    expect: { ...TEACHER_ONLY, otherTeacher: 200 },
    mustNotLeak: (w) => [w.owner.studentId, 'Ada only'],
  },
  {
    method: 'POST',
    path: () => '/api/teacher/students',
    body: () => ({ name: 'Intruder', email: uniqueEmail('intruder') }),
    expect: TEACHER_ONLY,
  },
  {
    method: 'PATCH',
    path: (w) => `/api/teacher/students/${w.owner.studentId}`,
    body: () => ({ name: 'Renamed' }),
    expect: { ...TEACHER_ONLY, otherTeacher: 404 },
  },
  {
    method: 'DELETE',
    path: (w) => `/api/teacher/students/${w.owner.studentId}`,
    expect: { ...TEACHER_ONLY, otherTeacher: 404 },
  },
  {
    method: 'GET',
    path: (w) => `/api/teacher/students/${w.owner.studentId}/share-link`,
    expect: { ...TEACHER_ONLY, otherTeacher: 404 },
  },
  {
    method: 'POST',
    path: (w) => `/api/teacher/students/${w.owner.studentId}/share-link`,
    body: () => ({}),
    expect: { ...TEACHER_ONLY, otherTeacher: 404 },
  },
  {
    method: 'PATCH',
    path: (w) => `/api/teacher/students/${w.owner.studentId}/share-link`,
    body: () => ({ expiresInHours: 1, maxUses: 1 }),
    expect: { ...TEACHER_ONLY, otherTeacher: 404 },
  },
  {
    // Links for the caller's own students without one: another teacher's call makes none of the owner's.
    method: 'POST',
    path: () => '/api/teacher/students/share-links',
    body: () => ({}),
    expect: { ...TEACHER_ONLY, otherTeacher: 200 },
    mustNotLeak: (w) => [w.owner.studentId],
  },
  {
    method: 'POST',
    path: (w) => `/api/teacher/students/${w.owner.studentId}/share-link/revoke`,
    expect: { ...TEACHER_ONLY, otherTeacher: 404 },
  },
  {
    method: 'POST',
    path: (w) => `/api/teacher/students/${w.owner.studentId}/share-link/email`,
    expect: { ...TEACHER_ONLY, otherTeacher: 404 },
  },
  // The teacher's API keys.
  {
    method: 'GET',
    path: () => '/api/teacher/api-keys',
    expect: { ...TEACHER_ONLY, otherTeacher: 200 },
    mustNotLeak: (w) => [w.owner.keyId],
  },
  { method: 'POST', path: () => '/api/teacher/api-keys', body: () => ({ name: 'Sneaky' }), expect: TEACHER_ONLY },
  {
    method: 'POST',
    path: (w) => `/api/teacher/api-keys/${w.owner.keyId}/revoke`,
    expect: { ...TEACHER_ONLY, otherTeacher: 404 },
  },
  // The teacher's bookings: list, cancel, move, outcome.
  {
    method: 'GET',
    path: () => '/api/teacher/bookings',
    expect: { ...TEACHER_ONLY, otherTeacher: 200 },
    mustNotLeak: (w) => [w.owner.bookingId],
  },
  {
    method: 'POST',
    path: (w) => `/api/teacher/bookings/${w.owner.bookingId}/cancel`,
    body: () => ({ reopen: true, message: 'Hijacked' }),
    expect: { ...TEACHER_ONLY, otherTeacher: 404 },
  },
  {
    method: 'POST',
    path: (w) => `/api/teacher/bookings/${w.owner.bookingId}/move`,
    body: (w) => ({ slotId: w.owner.slotId }),
    expect: { ...TEACHER_ONLY, otherTeacher: 404 },
  },
  {
    method: 'POST',
    path: (w) => `/api/teacher/bookings/${w.owner.bookingId}/outcome`,
    body: () => ({ outcome: 'no_show' }),
    expect: { ...TEACHER_ONLY, otherTeacher: 404 },
  },
  // The teacher's audit trail: only their own entries, whatever the filter names.
  {
    method: 'GET',
    path: () => '/api/teacher/audit',
    expect: { ...TEACHER_ONLY, otherTeacher: 200 },
    mustNotLeak: (w) => [w.owner.studentId, w.owner.bookingId, w.owner.keyId],
  },
  {
    method: 'GET',
    path: (w) => `/api/teacher/audit?studentId=${w.owner.studentId}`,
    expect: { ...TEACHER_ONLY, otherTeacher: 200 },
    mustNotLeak: (w) => [w.owner.studentId, w.owner.bookingId, 'Ada'],
  },
  {
    method: 'GET',
    path: () => '/api/teacher/audit.csv',
    expect: { ...TEACHER_ONLY, otherTeacher: 200 },
    mustNotLeak: (w) => [w.owner.studentId, w.owner.bookingId, w.owner.keyId, 'Ada'],
  },
  // The teacher's analytics: another teacher's answer holds only their own links, students and bookings.
  {
    method: 'GET',
    path: () => '/api/teacher/analytics/token-usage',
    expect: { ...TEACHER_ONLY, otherTeacher: 200 },
    mustNotLeak: (w) => [w.owner.studentId, w.owner.bookingId],
  },
  {
    method: 'GET',
    path: (w) => `/api/teacher/analytics/token-usage?studentId=${w.owner.studentId}`,
    expect: { ...TEACHER_ONLY, otherTeacher: 404 },
  },
  {
    method: 'GET',
    path: () => '/api/teacher/analytics/summary',
    expect: { ...TEACHER_ONLY, otherTeacher: 200 },
    mustNotLeak: (w) => [w.owner.studentId, w.owner.bookingId],
  },
  // Health: a teacher sees their own portal's figures only; the operator's need the operator's bearer token.
  {
    method: 'GET',
    path: () => '/api/teacher/health',
    expect: { ...TEACHER_ONLY, otherTeacher: 200 },
    mustNotLeak: (w) => [w.owner.teacherId],
  },
  {
    method: 'GET',
    path: () => '/api/operator/health',
    expect: { nobody: 401, student: 401, otherStudent: 401, teacher: 401, otherTeacher: 401 },
  },
  // The student's dashboard: sessions and availability.
  {
    method: 'GET',
    path: () => '/api/student/sessions',
    expect: { ...STUDENT_ONLY, otherStudent: 200 },
    mustNotLeak: (w) => [w.owner.bookingId],
  },
  {
    method: 'GET',
    path: () => '/api/student/sessions?filter=previous',
    expect: { ...STUDENT_ONLY, otherStudent: 200 },
    mustNotLeak: (w) => [w.owner.bookingId],
  },
  {
    method: 'POST',
    path: (w) => `/api/student/sessions/${w.owner.bookingId}/cancel`,
    expect: { ...STUDENT_ONLY, otherStudent: 404 },
  },
  {
    method: 'GET',
    path: (w) => `/api/student/sessions/${w.owner.bookingId}/calendar.ics`,
    expect: { ...STUDENT_ONLY, otherStudent: 404 },
  },
  {
    method: 'GET',
    path: (w) => `/api/student/sessions/${w.owner.bookingId}/open-slots`,
    expect: { ...STUDENT_ONLY, otherStudent: 404 },
  },
  {
    method: 'POST',
    path: (w) => `/api/student/sessions/${w.owner.bookingId}/reschedule`,
    body: (w) => ({ slotId: w.owner.slotId }),
    expect: { ...STUDENT_ONLY, otherStudent: 404 },
  },
  {
    method: 'GET',
    path: () => '/api/student/availability',
    expect: { ...STUDENT_ONLY, otherStudent: 200 },
    mustNotLeak: () => ['Ada only', 'Europe/Rome'],
  },
  {
    method: 'POST',
    path: () => '/api/student/availability',
    body: () => ({ timeZone: 'UTC', weeklyRanges: [] }),
    expect: STUDENT_ONLY,
  },
  // Who the student shares her availability with: hers alone to see and to change.
  {
    method: 'GET',
    path: () => '/api/student/sharing',
    expect: { ...STUDENT_ONLY, otherStudent: 200 },
    mustNotLeak: (w) => [w.owner.teacherId],
  },
  {
    method: 'POST',
    path: (w) => `/api/student/sharing/${w.owner.teacherId}`,
    body: () => ({ share: false }),
    expect: { ...STUDENT_ONLY, otherStudent: 404 },
  },
];

const send = (client: TestClient, row: Row) => {
  const path = row.path(world);
  if (row.method === 'GET') return client.get(path);
  if (row.method === 'DELETE') return client.delete(path);
  return client[row.method === 'POST' ? 'post' : 'patch'](path, row.body?.(world) ?? {});
};

describe('role × endpoint × someone else’s object', () => {
  for (const row of rows) {
    it(`${row.method} ${row.path({ owner: { teacherId: ':teacher', slotId: ':slot', studentId: ':student', bookingId: ':booking', keyId: ':key', availability: null, studentEmail: ':email' }, otherToken: ':token', otherBookingId: ':booking', clients: {} as never }).replace(/\?.*/, '')}`, async () => {
      for (const [role, status] of Object.entries(row.expect) as [Role, number][]) {
        const answer = await send(world.clients[role], row);
        expect(
          answer.status,
          `${role} → ${row.method} ${row.path(world)}: ${JSON.stringify(answer.body).slice(0, 200)}`,
        ).toBe(status);
        if (status === 200)
          for (const secret of row.mustNotLeak?.(world) ?? [])
            expect(JSON.stringify(answer.body), `${role} saw ${secret}`).not.toContain(secret);
        if (status >= 400) expect(answer.body.error.code).toEqual(expect.any(String));
      }
    });
  }

  it('through another student’s share link: the portal shows and cancels only that link’s own bookings', async () => {
    const portal = portalClient(world.otherToken);
    const mine = await portal.myBookings();
    expect(mine.body.bookings.map((b: Json) => b.id)).toEqual([world.otherBookingId]);
    expect((await portal.cancel(world.owner.bookingId)).status).toBe(404);
    expect(
      (
        await portal.api.post(`/api/booking/${world.otherToken}/reschedule/${world.owner.bookingId}`, {
          slotId: world.owner.slotId,
        })
      ).status,
    ).toBe(404);
    const calendar = await portal.calendar();
    expect(JSON.stringify(calendar.body)).not.toContain(world.owner.slotId);
  });

  it('with another teacher’s API key: a booking lands on that teacher’s calendar, never the owner’s', async () => {
    const otherKey = await givenApiKey({ api: world.clients.otherTeacher });
    const [slot] = await db().select().from(schema.slots).where(eq(schema.slots.id, world.owner.slotId));
    const answer = await otherKey.confirm({
      email: uniqueEmail('keyed'),
      name: 'Keyed',
      start: new Date(slot!.startsAt).toISOString(),
      end: new Date(slot!.endsAt).toISOString(),
      externalId: crypto.randomUUID(),
    });
    expect(answer.status).toBe(201);
    expect(answer.body.booking.slotId).not.toBe(world.owner.slotId);
  });

  it('a teacher enrols someone else’s student by email: sees nothing she shared elsewhere, nor whether she has an account', async () => {
    const { owner } = world;
    const intruder = world.clients.otherTeacher;
    expect((await intruder.post('/api/teacher/students', { name: 'Ada?', email: owner.studentEmail })).status).toBe(
      201,
    );
    const key = await givenApiKey({ api: intruder });
    const confirmed = await key.confirm({
      email: owner.studentEmail,
      name: 'Ada?',
      start: hoursFromNow(120),
      externalId: crypto.randomUUID(),
    });
    expect(confirmed.status).toBe(201);
    expect(confirmed.body.booking).not.toHaveProperty('account');
    const listed = await intruder.get('/api/teacher/students');
    const entry = listed.body.students.find((s: Json) => s.email === owner.studentEmail);
    expect(entry).toMatchObject({ availability: null });
    expect(entry).not.toHaveProperty('hasAccount');
    for (const secret of ['Ada only', 'Europe/Rome', owner.studentId])
      expect(JSON.stringify(listed.body)).not.toContain(secret);
    // Nor can the intruder tick themselves in: sharing is the student's own session's to change.
    expect((await intruder.post(`/api/student/sharing/${owner.teacherId}`, { share: true })).status).toBe(403);
    // The teacher she booked through her own link still sees it.
    const ownerList = await world.clients.teacher.get('/api/teacher/students');
    expect(ownerList.body.students.find((s: Json) => s.id === owner.studentId).availability).toMatchObject(
      owner.availability as object,
    );
  });

  it('one person, both roles: a teacher who booked with the owner reaches their own sessions, and nothing of the owner’s', async () => {
    const { owner } = world;
    const both = await givenTeacher({ displayName: 'Teaches and learns' });
    const [slot] = await givenSlots({ api: world.clients.teacher }, 1, 90);
    const enrolled = await world.clients.teacher.post('/api/teacher/students', {
      name: 'Colleague',
      email: both.email,
    });
    const link = await givenShareLink({ api: world.clients.teacher }, enrolled.body.student.id);
    const booked = await link.portal.book(slot!);
    expect(booked.status).toBe(201);

    expect((await both.api.get('/api/auth/me')).body.areas).toEqual({ teacher: true, student: true });
    const sessions = await both.api.get('/api/student/sessions');
    expect(sessions.status).toBe(200);
    expect(sessions.body.sessions.map((s: Json) => s.id)).toEqual([booked.body.booking.id]);
    expect((await both.api.get('/api/teacher/settings')).status).toBe(200);
    const students = await both.api.get('/api/teacher/students');
    expect(students.status).toBe(200);
    expect(JSON.stringify(students.body)).not.toContain(owner.studentId);
    // Both areas, and still someone else's objects are as if they did not exist.
    expect((await both.api.post(`/api/student/sessions/${owner.bookingId}/cancel`)).status).toBe(404);
    expect((await both.api.get(`/api/teacher/students/${owner.studentId}/share-link`)).status).toBe(404);
    expect((await both.api.post('/api/teacher/slots/cancel', { slotIds: [owner.slotId] })).status).toBe(404);
    const own = (await both.api.get('/api/student/availability')).body.availability;
    expect(JSON.stringify(own ?? null)).not.toContain('Ada only');
  });

  it('live: a student session or nobody can’t watch a teacher’s calendar', async () => {
    expect(
      await refusedUpgradeStatus('/api/live/teacher', {
        cookie: world.clients.student.cookieHeader(),
        origin: appUrl(),
      }),
    ).toBe(403);
    expect(await refusedUpgradeStatus('/api/live/teacher', { origin: appUrl() })).toBe(401);
  });

  it('left every one of the owner’s objects as it was', async () => {
    const { owner } = world;
    const [slot] = await db().select().from(schema.slots).where(eq(schema.slots.id, owner.slotId));
    expect(slot!.status).toBe('open');
    const [student] = await db().select().from(schema.students).where(eq(schema.students.id, owner.studentId));
    expect(student!.name).toBe('Ada');
    const links = await db().select().from(schema.shareLinks).where(eq(schema.shareLinks.studentId, owner.studentId));
    expect(links.map((l) => l.revokedAt)).toEqual([null]);
    const [key] = await db().select().from(schema.apiKeys).where(eq(schema.apiKeys.id, owner.keyId));
    expect(key!.revokedAt).toBeNull();
    const [booking] = await db().select().from(schema.bookings).where(eq(schema.bookings.id, owner.bookingId));
    expect(booking).toMatchObject({ status: 'scheduled', outcome: null, rescheduledToBookingId: null });
    const [teacher] = await db().select().from(schema.teachers).where(eq(schema.teachers.id, owner.teacherId));
    expect(teacher!.displayName).not.toBe('Hijacked');
    const adaAvailability = (await world.clients.student.get('/api/student/availability')).body.availability;
    expect(adaAvailability).toMatchObject(owner.availability as object);
    // No email about the owner's student went out because of someone else.
    const emails = await db()
      .select()
      .from(schema.emailOutbox)
      .where(eq(schema.emailOutbox.studentId, owner.studentId));
    expect(emails.filter((e) => e.template === 'share-link')).toEqual([]);
  });
});
