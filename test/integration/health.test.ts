/**
 * Health the teacher can see (DESIGN.md): a teacher's portal requests, counted in memory and written together,
 * come back as exact counts and error rates for that teacher alone; the operator sees the whole app's, behind
 * a bearer token. The requests are made at a chosen minute (the injected clock) that no other test uses, so
 * the whole app's figures for that period are this test's requests and nothing else.
 */
import { describe, expect, it } from 'vitest';
import { testClient, type Json, type TestClient } from '../support/client.ts';
import { TEST_OPERATOR_TOKEN } from '../support/operator.ts';
import { givenStudent, givenTeacher, portalClient } from '../support/scenario.ts';
import { until } from '../support/until.ts';
import { runCron } from '../support/cron.ts';

const MINUTE_MS = 60_000;

/**
 * A minute 200 to 300 days from now, picked at random, so no other test's requests fall in it: a day or two
 * ahead was not quiet (tests book and run reminders at such times). The links are made to last a year, so they
 * still open then.
 */
function quietMinute(): number {
  const at = Date.now() + (200 + Math.random() * 100) * 24 * 60 * MINUTE_MS;
  return at - (at % MINUTE_MS);
}

const healthOf = (api: TestClient, from: number, to: number) => api.get(`/api/teacher/health?from=${from}&to=${to}`);

/** Reads until `requests` reaches what is expected (a write handed to `waitUntil` may still be landing). */
const settled = async (read: () => Promise<{ status: number; body: Json }>, requests: number) =>
  (await until(read, (r) => r.status === 200 && r.body.total.requests >= requests)).body;

describe('health the teacher can see', () => {
  it("counts a teacher's portal requests exactly, refusals included, and shows them to that teacher only", async () => {
    const a = await givenTeacher();
    const b = await givenTeacher();
    const ada = await givenStudent(a, { name: 'Ada', expiresInDays: 365 });
    const gone = await givenStudent(a, { name: 'Gone' });
    expect((await a.api.post(`/api/teacher/students/${gone.id}/share-link/revoke`)).status).toBe(200);
    const ben = await givenStudent(b, { name: 'Ben', expiresInDays: 365 });

    const start = quietMinute();
    const from = start;
    const to = start + 10 * MINUTE_MS;
    const at = (i: number) => start + i * 7_000;
    const adaPortal = ada.portal.api;
    const gonePortal = gone.portal.api;
    for (let i = 0; i < 6; i++)
      expect((await adaPortal.at(at(i)).get(`/api/booking/${ada.token}/calendar`)).status).toBe(200);
    for (let i = 0; i < 2; i++)
      expect((await adaPortal.at(at(6 + i)).get(`/api/booking/${ada.token}/my-bookings`)).status).toBe(200);
    // A revoked link of A's: refused with 410, and still A's portal's request.
    for (let i = 0; i < 3; i++)
      expect((await gonePortal.at(at(8 + i)).get(`/api/booking/${gone.token}/calendar`)).status).toBe(410);
    // A token nobody issued names no teacher: the whole app's request only.
    expect((await portalClient('no-such-token').api.at(at(11)).get('/api/booking/no-such-token/calendar')).status).toBe(
      404,
    );

    const health = await settled(() => healthOf(a.api, from, to), 11);
    expect(health.total).toMatchObject({ requests: 11, errors5xx: 0, errors4xx: 3, errorRate5xx: 0 });
    expect(health.total.errorRate4xx).toBeCloseTo(3 / 11, 10);
    expect(health.total.p50Ms).toEqual(expect.any(Number));
    expect(health.total.p95Ms).toBeGreaterThanOrEqual(health.total.p50Ms);
    const daySum = health.days.reduce((sum: number, d: Json) => sum + d.requests, 0);
    expect(daySum).toBe(11);

    // B sees none of A's requests; B's own portal requests are B's alone.
    expect((await healthOf(b.api, from, to)).body.total).toMatchObject({ requests: 0, p50Ms: null, errorRate4xx: 0 });
    for (let i = 0; i < 2; i++)
      expect((await ben.portal.api.at(at(12 + i)).get(`/api/booking/${ben.token}/calendar`)).status).toBe(200);
    expect((await settled(() => healthOf(b.api, from, to), 2)).total).toMatchObject({ requests: 2, errors4xx: 0 });
    expect((await healthOf(a.api, from, to)).body.total.requests).toBe(11);

    // The operator: refused without the token and with a wrong one; with it, the whole app's figures.
    const operatorPath = `/api/operator/health?from=${from}&to=${to}`;
    expect((await testClient().get(operatorPath)).status).toBe(401);
    const wrong = testClient({ headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}x` } });
    expect((await wrong.get(operatorPath)).status).toBe(401);
    const operator = testClient({ headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` } });
    const app = await settled(() => operator.get(operatorPath), 14);
    expect(app.total).toMatchObject({ requests: 14, errors5xx: 0, errors4xx: 4 });
  });

  it('refuses a period it cannot answer with a sentence for a person', async () => {
    const teacher = await givenTeacher();
    const backwards = await teacher.api.get(`/api/teacher/health?from=${Date.now()}&to=${Date.now() - MINUTE_MS}`);
    expect(backwards.status).toBe(400);
    expect(backwards.text).toContain('The end of the period must come after its start.');
    const tooLong = await teacher.api.get(`/api/teacher/health?from=0&to=${100 * 24 * 60 * MINUTE_MS}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.text).toContain('Ask for at most 92 days at a time.');
    expect((await teacher.api.get('/api/teacher/health?from=soon')).status).toBe(400);
  });
});

describe('retention', () => {
  it('the cron job deletes request figures older than 100 days at its scheduled time and keeps younger ones', async () => {
    const teacher = await givenTeacher();
    const ada = await givenStudent(teacher, { name: 'Ada' });
    const now = quietMinute();
    const DAY_MS = 24 * 60 * MINUTE_MS;
    const figuresAt = (at: number) => healthOf(teacher.api, at, at + MINUTE_MS);
    // One portal request 101 days before `now` and one 99 days before, placed there by the injected clock.
    const old = now - 101 * DAY_MS;
    const young = now - 99 * DAY_MS;
    for (const at of [old, young])
      expect((await ada.portal.api.at(at).get(`/api/booking/${ada.token}/calendar`)).status).toBeLessThan(500);
    expect((await settled(() => figuresAt(old), 1)).total.requests).toBe(1);
    expect((await settled(() => figuresAt(young), 1)).total.requests).toBe(1);

    await runCron({ at: now });
    expect((await figuresAt(old)).body.total.requests).toBe(0);
    expect((await figuresAt(young)).body.total.requests).toBe(1);
  });
});
