/**
 * Teacher analytics against a scenario with known numbers (test/support/analytics-scenario.ts): eight weeks of
 * visits, bookings, cancellations, a reschedule, outcomes and bounces around a daylight-saving change. Every
 * figure of both endpoints is checked; then what a teacher may ask and may not see.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { givenAnalyticsScenario, TIME_ZONE, type AnalyticsScenario } from '../support/analytics-scenario.ts';
import { givenStudent, givenTeacher } from '../support/scenario.ts';
import { until } from '../support/until.ts';

let scenario: AnalyticsScenario;
beforeAll(async () => {
  scenario = await givenAnalyticsScenario();
}, 240_000);

const query = (p: { from: string; to: string }) => `from=${p.from}&to=${p.to}`;

/** The weekday × hour grid of wall-clock times as the scenario wrote them (no time-zone arithmetic). */
function gridOf(times: { date: { dayOfWeek: number }; hour: number }[]) {
  const grid = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
  for (const t of times) grid[t.date.dayOfWeek - 1]![t.hour]! += 1;
  return grid;
}

describe('GET /api/teacher/analytics/token-usage', () => {
  it('answers every link with its state, all-time and in-period usage, bookings, cancellations and visit share', async () => {
    const { teacherAt, students, at, period } = scenario;
    const tab = await teacherAt(14, '12:00');
    // Views reach link_events a few seconds after the visit: wait for the last one.
    const answer = await until(
      () => tab.get(`/api/teacher/analytics/token-usage?${query(period)}`),
      (a) =>
        a.status !== 200 ||
        a.body.links.find((l: { id: string }) => l.id === students.Ada!.linkId)?.allTime.accessCount === 5,
    );
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.period).toMatchObject({ ...period, days: 28, timeZone: TIME_ZONE });
    // 28 days across a change: 28 × 24 hours, plus or minus one.
    expect(Math.abs(answer.body.period.endMs - answer.body.period.startMs - 28 * 86_400_000)).toBe(3_600_000);

    const byName = Object.fromEntries(answer.body.links.map((l: { student: { name: string } }) => [l.student.name, l]));
    expect(answer.body.links).toHaveLength(5);
    expect(byName.Ada).toMatchObject({
      id: students.Ada!.linkId,
      state: 'active',
      allTime: {
        accessCount: 5,
        lastAccessAt: at(8, '10:00'),
        bookings: 4,
        cancellations: 1,
        canceledByStudent: 1,
        visitToBookingShare: 0.8,
      },
      period: {
        accessCount: 4,
        lastAccessAt: at(8, '10:00'),
        bookings: 3,
        cancellations: 1,
        canceledByStudent: 1,
        canceledByTeacher: 0,
        visitToBookingShare: 0.75,
      },
    });
    expect(byName.Ada.createdAt).toBe(at(-45, '09:00'));
    expect(byName.Ada.expiresAt).toBe(at(-45, '09:00') + 90 * 86_400_000);
    expect(byName.Ben).toMatchObject({
      state: 'used_up',
      maxUses: 1,
      allTime: {
        accessCount: 2,
        lastAccessAt: at(-5, '09:02'),
        bookings: 1,
        cancellations: 0,
        visitToBookingShare: 0.5,
      },
      period: {
        accessCount: 2,
        lastAccessAt: at(-5, '09:02'),
        bookings: 1,
        cancellations: 0,
        visitToBookingShare: 0.5,
      },
    });
    expect(byName.Cleo).toMatchObject({
      state: 'revoked',
      revokedAt: at(1, '08:00'),
      // Cleo's second booking was canceled by the teacher: it counts against the link it was made through.
      period: {
        accessCount: 2,
        lastAccessAt: at(-1, '23:25'),
        bookings: 2,
        cancellations: 1,
        canceledByStudent: 0,
        canceledByTeacher: 1,
        visitToBookingShare: 1,
      },
    });
    expect(byName.Dev).toMatchObject({
      state: 'expiring_soon',
      allTime: { accessCount: 0, lastAccessAt: null, bookings: 0, cancellations: 0, visitToBookingShare: null },
    });
    expect(byName.Eve).toMatchObject({
      state: 'expired',
      allTime: {
        accessCount: 1,
        lastAccessAt: at(-41, '10:55'),
        bookings: 1,
        cancellations: 1,
        canceledByStudent: 1,
        visitToBookingShare: 1,
      },
      period: { accessCount: 0, lastAccessAt: null, bookings: 0, cancellations: 0, visitToBookingShare: null },
    });
  });

  it('narrows to one student, and says which student is unknown', async () => {
    const { teacherAt, students, period } = scenario;
    const tab = await teacherAt(14, '12:00');
    const one = await tab.get(`/api/teacher/analytics/token-usage?${query(period)}&studentId=${students.Ben!.id}`);
    expect(one.status, one.text).toBe(200);
    expect(one.body.links.map((l: { id: string }) => l.id)).toEqual([students.Ben!.linkId]);

    const other = await givenTeacher();
    const theirs = await givenStudent(other);
    const foreign = await tab.get(`/api/teacher/analytics/token-usage?studentId=${theirs.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.message).toBe('No such student.');
  });
});

describe('GET /api/teacher/analytics/summary', () => {
  it('answers every figure of the period against the previous one, in the teacher’s zone across the change', async () => {
    const { teacherAt, period, D, created, heldSessions, leadHours, cancellations, at } = scenario;
    const answer = await (await teacherAt(14, '12:00')).get(`/api/teacher/analytics/summary?${query(period)}`);
    expect(answer.status, answer.text).toBe(200);
    const body = answer.body;
    expect(body.previousPeriod).toEqual({
      from: D.subtract({ days: 42 }).toString(),
      to: D.subtract({ days: 15 }).toString(),
    });

    const figure = (value: number, previous: number) => ({
      value,
      previous,
      change: value - previous,
      changePercent: previous === 0 ? null : Math.round(((value - previous) / previous) * 100),
    });
    expect(body.bookings).toEqual({
      created: figure(6, 2),
      canceledByStudent: figure(1, 1),
      canceledByTeacher: figure(1, 0),
      rescheduled: figure(1, 0),
      completed: figure(1, 1),
      noShow: figure(1, 0),
    });
    // Ben and Cleo booked for the first time in the period, Ada and Eve in the one before.
    expect(body.newStudents).toEqual(figure(2, 2));

    expect(body.peakTimes.sessions).toEqual(gridOf(heldSessions));
    expect(body.peakTimes.bookedAt).toEqual(gridOf(created.map((b) => b.made)));
    // The session the day after the change is at 10:00 on the wall clock, like the one before it.
    expect(body.peakTimes.sessions[D.add({ days: 1 }).dayOfWeek - 1][10]).toBeGreaterThanOrEqual(1);

    const sorted = [...leadHours].sort((a, b) => a - b);
    expect(body.leadTime.count).toBe(6);
    expect(body.leadTime.medianHours).toBe(Math.round(((sorted[2]! + sorted[3]!) / 2) * 10) / 10);
    expect(body.leadTime.p90Hours).toBe(Math.round(sorted[5]! * 10) / 10);
    // Ada's booking two days before the change: 61 h 45 min on the wall clock, one hour more or less in fact.
    expect(Math.abs(leadHours[3]! - 61.75)).toBe(1);
    const bucket = (from: number, to: number | null) =>
      leadHours.filter((h) => h >= from && (to === null || h < to)).length;
    expect(body.leadTime.histogram.map((b: { count: number }) => b.count)).toEqual([
      bucket(0, 24),
      bucket(24, 72),
      bucket(72, 168),
      bucket(168, 336),
      bucket(336, 672),
      bucket(672, null),
    ]);

    expect(body.subjects).toEqual([
      { subject: 'Maths', bookings: 3 },
      { subject: null, bookings: 1 },
      { subject: 'Chemistry', bookings: 1 },
      { subject: 'Physics', bookings: 1 },
    ]);

    expect(body.trend).toHaveLength(28);
    const onDay = (times: { date: { toString(): string } }[], date: string) =>
      times.filter((t) => t.date.toString() === date).length;
    expect(body.trend).toEqual(
      body.trend.map((d: { date: string }) => ({
        date: d.date,
        created: onDay(
          created.map((b) => b.made),
          d.date,
        ),
        canceled: onDay(cancellations, d.date),
        sessions: onDay(heldSessions, d.date),
      })),
    );
    expect(body.trend[0].date).toBe(period.from);

    // Judged at the period's end: Dev never visited or booked, Eve's last visit and booking were 54 days before.
    expect(body.students).toMatchObject({ total: 5, active: 3, inactive: 2, inactiveAfterDays: 30 });
    expect(
      body.students.inactiveStudents.map((s: { name: string; lastActivityAt: number | null }) => [
        s.name,
        s.lastActivityAt,
      ]),
    ).toEqual([
      ['Dev', null],
      ['Eve', at(-41, '11:00')],
    ]);

    // In the period: six confirmations, the move's notice and two cancellation notices; one of them bounced.
    expect(body.emails).toEqual({ sent: 9, failed: 0, bounced: 1, complained: 0, pending: 0 });
  });

  it('defaults to the last 30 days and refuses periods a person got wrong with a 400 that says why', async () => {
    const { teacherAt, D } = scenario;
    const tab = await teacherAt(14, '12:00');
    const byDefault = await tab.get('/api/teacher/analytics/summary');
    expect(byDefault.status).toBe(200);
    expect(byDefault.body.period).toMatchObject({ to: D.add({ days: 14 }).toString(), days: 30 });

    const refusals: [string, RegExp][] = [
      ['from=2027-03-01', /both a first and a last day/],
      ['from=2027-03-10&to=2027-03-01', /on or after the first/],
      ['from=2027-01-01&to=2028-06-01', /at most 366 days/],
      ['from=yesterday&to=2027-03-01', /2027-03-14/],
    ];
    for (const [q, message] of refusals) {
      for (const path of ['summary', 'token-usage']) {
        const refused = await tab.get(`/api/teacher/analytics/${path}?${q}`);
        expect(refused.status, q).toBe(400);
        expect(refused.body.error.code).toBe('invalid_request');
        expect(refused.body.error.message).toMatch(message);
      }
    }
    expect((await tab.get('/api/teacher/analytics/token-usage?studentId=abc')).body.error.message).toMatch(
      /No such student/,
    );
  });

  it('shows another teacher nothing of this teacher’s links, students or bookings', async () => {
    const { period } = scenario;
    const other = await givenTeacher({ timeZone: TIME_ZONE });
    const links = await other.api.get(`/api/teacher/analytics/token-usage?${query(period)}`);
    expect(links.status).toBe(200);
    expect(links.body.links).toEqual([]);
    const summary = await other.api.get(`/api/teacher/analytics/summary?${query(period)}`);
    expect(summary.body.bookings.created.value).toBe(0);
    expect(summary.body.students.total).toBe(0);
    expect(summary.body.emails.sent).toBe(0);
  });
});
