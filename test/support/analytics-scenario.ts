/**
 * A teacher's eight weeks with known numbers, for the analytics tests: five students, visits, bookings,
 * cancellations by each side, a reschedule, outcomes and bounces, spread over the four weeks before and the
 * four weeks around a daylight-saving change in the teacher's zone. Every step runs at its own instant on the
 * injected clock (`client.at`), so the scenario never depends on today's date; it sits a couple of months
 * ahead, at the zone's next offset change after that, so no other test's cron run reaches its sessions.
 *
 * The period under test is the 28 days from D-14 to D+13 (D: the day the clocks change), the previous period
 * the 28 days before it. `expected` holds every figure the two endpoints must answer, derived from the steps
 * below by hand (counts) or from the wall-clock times the steps were given (grids, lead times).
 */
import { createHash, randomBytes } from 'node:crypto';
import { Temporal } from 'temporal-polyfill';
import { expect } from 'vitest';
import * as schema from '../../db/schema.ts';
import { testClient, type TestClient } from './client.ts';
import { db } from './database.ts';
import { outboxRowsTo } from './outbox.ts';
import { givenTeacher } from './scenario.ts';
import { uniqueEmail, uniqueIp } from './stack.ts';
import { nextOffsetChange } from './time.ts';
import { until } from './until.ts';
import { resendBounce, svixHeaders } from './webhooks.ts';

export const TIME_ZONE = 'Europe/Berlin';

/** A session opened at `at` (sessions live 30 days on the injected clock too); its cookie. */
async function sessionCookieAt(userId: string, at: number): Promise<string> {
  const sessionId = randomBytes(20).toString('hex');
  const secret = randomBytes(20).toString('hex');
  await db()
    .insert(schema.authSessions)
    .values({
      id: sessionId,
      userId,
      secretHash: createHash('sha256').update(secret).digest(),
      createdAt: at,
      lastVerifiedAt: at,
    });
  return `slotcast_session=${sessionId}.${secret}`;
}

/** A teacher's tab whose session was opened at `at`, sending `at` as its clock. */
const teacherTabAt = async (userId: string, at: number): Promise<TestClient> =>
  testClient({ cookie: await sessionCookieAt(userId, at) }).at(at);

async function ok<T extends { status: number; text: string }>(answer: Promise<T>, status = 200): Promise<T> {
  const settled = await answer;
  expect(settled.status, settled.text).toBe(status);
  return settled;
}

export async function givenAnalyticsScenario() {
  const D = nextOffsetChange(TIME_ZONE, Temporal.Now.plainDateISO(TIME_ZONE).add({ days: 70 }));
  /** A wall-clock time in the teacher's zone, `days` after D. */
  const local = (days: number, time: string) => {
    const date = D.add({ days });
    const [hour, minute] = time.split(':').map(Number) as [number, number];
    return {
      date,
      hour,
      epochMs: date.toZonedDateTime({ timeZone: TIME_ZONE, plainTime: { hour, minute } }).epochMilliseconds,
    };
  };
  const at = (days: number, time: string) => local(days, time).epochMs;

  const teacher = await givenTeacher({
    timeZone: TIME_ZONE,
    minNoticeMinutes: 0,
    notifyOnBooking: false,
    notifyOnChanges: false,
    reminderOffsetsMinutes: [],
  });
  const teacherAt = (days: number, time: string) => teacherTabAt(teacher.id, at(days, time));

  // Setup, 45 days before the change: five students, each with a link, and every slot the scenario uses.
  const setup = await teacherAt(-45, '09:00');
  const students: Record<string, { id: string; email: string; token: string; linkId: string; tab: TestClient }> = {};
  const links = {
    Ada: { expiresInDays: 90 },
    Ben: { expiresInDays: 90, maxUses: 1 },
    Cleo: { expiresInDays: 90 },
    Dev: { expiresInDays: 61 },
    Eve: { expiresInDays: 10 },
  };
  for (const [name, options] of Object.entries(links)) {
    const email = uniqueEmail(name.toLowerCase());
    const added = await ok(setup.post('/api/teacher/students', { name, email }), 201);
    const link = await ok(setup.post(`/api/teacher/students/${added.body.student.id}/share-link`, options), 201);
    students[name] = {
      id: added.body.student.id,
      email,
      token: link.body.link.url.split('/').at(-1),
      linkId: link.body.link.id,
      tab: testClient({ ip: uniqueIp() }),
    };
  }
  const slotAt = async (days: number, time: string, subject: string) => {
    const start = `${D.add({ days }).toString()}T${time}`;
    const created = await ok(setup.post('/api/teacher/slots', { start, lengthMinutes: 60, subject }), 201);
    return created.body.slots[0].id as string;
  };
  const S = {
    s1: await slotAt(-38, '15:00', 'Maths'),
    s2: await slotAt(-36, '16:00', 'Physics'),
    s3: await slotAt(-3, '10:00', 'Maths'),
    s4: await slotAt(1, '10:00', 'Maths'),
    s5: await slotAt(6, '14:00', 'Physics'),
    s6: await slotAt(7, '14:00', 'Physics'),
    s7: await slotAt(2, '09:00', 'Chemistry'),
    s8: await slotAt(9, '17:00', ''),
    s9: await slotAt(12, '11:00', 'Maths'),
  };

  const s = (name: string) => students[name]!;
  const visit = (name: string, days: number, time: string) =>
    ok(
      s(name)
        .tab.at(at(days, time))
        .get(`/api/booking/${s(name).token}/calendar`),
    );
  const book = async (name: string, days: number, time: string, slotId: string) =>
    (
      await ok(
        s(name)
          .tab.at(at(days, time))
          .post(`/api/booking/${s(name).token}/book`, { slotId }),
        201,
      )
    ).body.booking.id as string;
  const studentCancel = (name: string, days: number, time: string, bookingId: string) =>
    ok(
      s(name)
        .tab.at(at(days, time))
        .post(`/api/booking/${s(name).token}/cancel/${bookingId}`),
    );
  const outcome = async (days: number, time: string, bookingId: string, value: 'completed' | 'no_show') =>
    ok((await teacherAt(days, time)).post(`/api/teacher/bookings/${bookingId}/outcome`, { outcome: value }));

  // The previous period (D-42 .. D-15).
  await visit('Eve', -41, '10:55');
  const eve1 = await book('Eve', -41, '11:00', S.s2);
  await visit('Ada', -40, '09:55');
  const ada1 = await book('Ada', -40, '10:00', S.s1);
  await studentCancel('Eve', -37, '09:00', eve1);
  await outcome(-38, '17:00', ada1, 'completed');

  // The period (D-14 .. D+13), across the change.
  await visit('Ada', -10, '18:25');
  const ada3 = await book('Ada', -10, '18:30', S.s3);
  await visit('Ben', -5, '09:00');
  await visit('Ben', -5, '09:02');
  const ben5 = await book('Ben', -5, '09:05', S.s5);
  await visit('Cleo', -3, '07:55');
  await book('Cleo', -3, '08:00', S.s8);
  await outcome(-3, '12:00', ada3, 'completed');
  await visit('Ada', -2, '20:10');
  const ada4 = await book('Ada', -2, '20:15', S.s4);
  // Ben moves his session a week later through his used-up link: a reschedule, not a new booking.
  await ok(
    s('Ben')
      .tab.at(at(-1, '12:00'))
      .post(`/api/booking/${s('Ben').token}/reschedule/${ben5}`, { slotId: S.s6 }),
  );
  await visit('Cleo', -1, '23:25');
  const cleo6 = await book('Cleo', -1, '23:30', S.s7);
  await ok((await teacherAt(0, '12:00')).post(`/api/teacher/bookings/${cleo6}/cancel`, { reopen: true }));
  await ok((await teacherAt(1, '08:00')).post(`/api/teacher/students/${s('Cleo').id}/share-link/revoke`));
  await outcome(1, '11:30', ada4, 'no_show');
  await visit('Ada', 3, '09:58');
  const ada9 = await book('Ada', 3, '10:00', S.s9);
  await studentCancel('Ada', 5, '10:00', ada9);
  await visit('Ada', 8, '10:00');

  // Every email sent, then one bounce in the period (Ada's cancellation notice) and one before it (Eve's confirmation).
  const settledRows = async (email: string) =>
    until(
      () => outboxRowsTo(email),
      (rows) => rows.length > 0 && rows.every((r) => r.status === 'sent'),
    );
  for (const name of Object.keys(links).filter((n) => n !== 'Dev')) await settledRows(s(name).email);
  const bounce = async (email: string, template: string) => {
    const row = (await outboxRowsTo(email, template))[0]!;
    const body = JSON.stringify(resendBounce(row.providerMessageId!, email));
    await ok(
      testClient({ origin: null, ip: uniqueIp() }).request('POST', '/api/webhooks/resend', {
        body,
        headers: svixHeaders(body),
      }),
    );
    await until(
      async () => (await outboxRowsTo(email, template))[0]!.status,
      (status) => status === 'bounced',
    );
  };
  await bounce(s('Ada').email, 'booking-canceled');
  await bounce(s('Eve').email, 'booking-confirmation');

  /** The moment the answers are read: just after the period. */
  const readAt = at(14, '12:00');
  const period = { from: D.subtract({ days: 14 }).toString(), to: D.add({ days: 13 }).toString() };

  const hours = (fromMs: number, toMs: number) => (toMs - fromMs) / 3_600_000;
  /** Bookings made in the period: when they were made and the session they are for, as wall-clock times. */
  const created = [
    { made: local(-10, '18:30'), session: local(-3, '10:00'), subject: 'Maths' },
    { made: local(-5, '09:05'), session: local(6, '14:00'), subject: 'Physics' },
    { made: local(-3, '08:00'), session: local(9, '17:00'), subject: '' },
    { made: local(-2, '20:15'), session: local(1, '10:00'), subject: 'Maths' },
    { made: local(-1, '23:30'), session: local(2, '09:00'), subject: 'Chemistry' },
    { made: local(3, '10:00'), session: local(12, '11:00'), subject: 'Maths' },
  ];
  /** Sessions in the period still held (completed, no-show, or scheduled after Ben's move). */
  const heldSessions = [local(-3, '10:00'), local(1, '10:00'), local(7, '14:00'), local(9, '17:00')];

  return {
    teacher,
    teacherAt,
    /** A session cookie for a browser that reads the page at `readAt` (it sends that clock itself). */
    teacherCookieAt: (atMs: number) => sessionCookieAt(teacher.id, atMs),
    students,
    D,
    at,
    readAt,
    period,
    created,
    heldSessions,
    cancellations: [local(0, '12:00'), local(5, '10:00')],
    leadHours: created.map((b) => hours(b.made.epochMs, b.session.epochMs)),
  };
}

export type AnalyticsScenario = Awaited<ReturnType<typeof givenAnalyticsScenario>>;
