/**
 * Scenario builders for tests against the real stack (wrangler dev + libSQL dev server + SMTP sink): a
 * signed-in teacher, their slots, an enrolled student with a share link, an API key. Each goes through the
 * teacher's API as a teacher would, except the teacher's own sign-in, which is arranged in the database (the
 * sign-in flow itself is tested in auth.test.ts).
 */
import { randomUUID } from 'node:crypto';
import type * as schema from '../../db/schema.ts';
import { students as studentsTable } from '../../db/schema.ts';
import { testClient, type TestClient } from './client.ts';
import { db } from './database.ts';
import { uniqueEmail, uniqueIp } from './stack.ts';
import { createSessionFor, createTeacherSession } from './teacher-session.ts';
import { hoursFromNow } from './time.ts';

/** A signed-in teacher, arranged directly in the database; `api` is their browser tab. */
export async function givenTeacher(options: Partial<typeof schema.teachers.$inferInsert> = {}) {
  const teacher = await createTeacherSession(db(), options);
  return { ...teacher, api: testClient({ cookie: teacher.cookie }) };
}

export type GivenTeacher = Awaited<ReturnType<typeof givenTeacher>>;

/** A tab signed in as an existing user (a student made by a booking, say). */
export async function signedInAs(userId: string): Promise<TestClient> {
  return testClient({ cookie: await createSessionFor(db(), userId) });
}

export interface Student {
  id: string;
  name: string;
  email: string;
  color: string;
}

/** A student the teacher added (no share link yet). */
export async function givenEnrolledStudent(teacher: { api: TestClient }, name = 'Sam Student'): Promise<Student> {
  const added = await teacher.api.post<{ student: Student }>('/api/teacher/students', {
    name,
    email: uniqueEmail('student'),
  });
  if (added.status !== 201) throw new Error(`adding a student failed: ${added.text}`);
  return added.body.student;
}

/** A fresh share link for the student; the token is the URL's last segment. */
export async function givenShareLink(
  teacher: { api: TestClient },
  studentId: string,
  options: { maxUses?: number | null; expiresInDays?: number } = {},
) {
  const created = await teacher.api.post<{ link: { id: string; url: string } }>(
    `/api/teacher/students/${studentId}/share-link`,
    { maxUses: options.maxUses ?? null, expiresInDays: options.expiresInDays },
  );
  if (created.status !== 201) throw new Error(`creating a link failed: ${created.text}`);
  const { id, url } = created.body.link;
  const token = url.split('/').at(-1)!;
  return { linkId: id, url, token, portal: portalClient(token) };
}

/** An enrolled student with an active share link, made through the teacher's API like a teacher would. */
export async function givenStudent(
  teacher: { api: TestClient },
  options: { name?: string; maxUses?: number | null; expiresInDays?: number } = {},
) {
  const student = await givenEnrolledStudent(teacher, options.name);
  return { ...student, ...(await givenShareLink(teacher, student.id, options)) };
}

/** The student portal's API for one token, from one client address. */
export function portalClient(token: string, ip = uniqueIp()) {
  const api = testClient({ ip });
  return {
    api,
    calendar: (query = '') => api.get(`/api/booking/${token}/calendar${query}`),
    book: (slotId: string) => api.post(`/api/booking/${token}/book`, { slotId }),
    myBookings: () => api.get(`/api/booking/${token}/my-bookings`),
    cancel: (bookingId: string) => api.post(`/api/booking/${token}/cancel/${bookingId}`),
  };
}

/** Open slots for a teacher, `hoursAhead` from now, one hour each, two hours apart. */
export async function givenSlots(teacher: { api: TestClient }, count: number, hoursAhead = 48) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const created = await teacher.api.post<{ slots: { id: string }[] }>('/api/teacher/slots', {
      start: hoursFromNow(hoursAhead + i * 2),
      lengthMinutes: 60,
      subject: `Lesson ${i + 1}`,
    });
    if (created.status !== 201) throw new Error(`creating a slot failed: ${created.text}`);
    ids.push(created.body.slots[0]!.id);
  }
  return ids;
}

/** An API key the teacher made in settings, and a client for `POST /api/booking/confirm` that sends it. */
export async function givenApiKey(teacher: { api: TestClient }, name = 'Website form') {
  const created = await teacher.api.post<{ secret: string; key: { id: string } }>('/api/teacher/api-keys', { name });
  if (created.status !== 201) throw new Error(`creating an API key failed: ${created.text}`);
  const { secret } = created.body;
  const defaultIp = uniqueIp();
  // Server to server: no cookie, no Origin.
  const confirm = (body: unknown, { key = secret, ip = defaultIp }: { key?: string; ip?: string } = {}) =>
    testClient({ origin: null, ip }).post('/api/booking/confirm', body, { authorization: `Bearer ${key}` });
  return { id: created.body.key.id, secret, confirm };
}

/**
 * `count` students enrolled at once, written straight into the database in one batch (the add-student API is
 * tested elsewhere; a panel of 200 needs them fast). Names sort as "Student 001" … ; no links yet.
 */
export async function givenManyStudents(teacher: { id: string }, count: number, prefix = 'Student') {
  const now = Date.now();
  const rows = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    teacherId: teacher.id,
    name: `${prefix} ${String(i + 1).padStart(3, '0')}`,
    email: uniqueEmail(`many${i + 1}`),
    color: MANY_COLORS[i % MANY_COLORS.length]!,
    createdAt: now,
    updatedAt: now,
  }));
  const [first, ...rest] = rows.map((row) => db().insert(studentsTable).values(row));
  await db().batch([first!, ...rest]);
  return rows;
}

const MANY_COLORS = ['#1d4ed8', '#047857', '#b45309', '#7c3aed', '#be123c', '#0e7490'];
