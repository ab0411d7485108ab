import { describe, expect, it } from 'vitest';
import { testClient } from '../support/client.ts';
import { givenTeacher } from '../support/scenario.ts';
import { uniqueIp } from '../support/stack.ts';
import { hoursFromNow, inFreshRateWindow } from '../support/time.ts';
import { refusal } from '../support/refusal.ts';

/** Sends `count` requests, 25 at a time, and answers their statuses (the windows are a minute long). */
async function statusesOf(count: number, send: () => Promise<{ status: number }>): Promise<number[]> {
  const statuses: number[] = [];
  for (let sent = 0; sent < count; sent += 25)
    statuses.push(
      ...(await Promise.all(Array.from({ length: Math.min(25, count - sent) }, send))).map((a) => a.status),
    );
  return statuses;
}

/** Long enough to wait for a fresh window and spend a whole budget on a busy machine. */
const LONG = 150_000;

const WAIT = /Please wait (a second|\d+ seconds) and try again\.$/;

/** A slot two days ahead, as the teacher's "New slot" dialog sends it. */
const slotAt = (hoursAhead: number) => ({ start: hoursFromNow(hoursAhead), lengthMinutes: 60, subject: 'Limits' });

describe('every signed-in request spends its session budget before the session is looked up', () => {
  it(
    "refuses a session's 121st change in a minute with 429, changes nothing, and still lets it read",
    async () => {
      const teacher = await givenTeacher();
      const api = testClient({ cookie: teacher.cookie, ip: uniqueIp() });
      await inFreshRateWindow(40);
      // Refused changes spend the budget too: the limit comes before validation, the lookup and the write.
      const refusedChanges = await statusesOf(119, () => api.patch('/api/teacher/settings', { displayName: '' }));
      expect(new Set(refusedChanges)).toEqual(new Set([400]));
      expect((await api.post('/api/teacher/slots', slotAt(48))).status).toBe(201);
      const refused = await api.post('/api/teacher/slots', slotAt(50));
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(refusal(refused.body.error)).toMatch(new RegExp(`^Too many changes\\. ${WAIT.source}`));
      const calendar = await api.get(`/api/teacher/calendar?from=${Date.now()}&to=${Date.now() + 7 * 86_400_000}`);
      expect(calendar.status).toBe(200);
      expect(calendar.body.slots.map((slot: { subject: string }) => slot.subject)).toEqual(['Limits']);
      // Another session of the same person isn't held up by this one's budget.
      const otherDevice = testClient({ cookie: (await givenTeacher()).cookie, ip: uniqueIp() });
      expect((await otherDevice.post('/api/teacher/slots', slotAt(48))).status).toBe(201);
    },
    LONG,
  );

  it(
    "refuses a session's 601st read in a minute with 429",
    async () => {
      const teacher = await givenTeacher();
      const api = testClient({ cookie: teacher.cookie, ip: uniqueIp() });
      await inFreshRateWindow(50);
      expect(new Set(await statusesOf(600, () => api.get('/api/auth/me')))).toEqual(new Set([200]));
      const refused = await api.get('/api/auth/me');
      expect(refused.status).toBe(429);
      expect(refusal(refused.body.error)).toMatch(new RegExp(`^Too many requests\\. ${WAIT.source}`));
    },
    LONG,
  );

  it(
    'answers a health check past 600 a minute from one address with 429',
    async () => {
      const probe = testClient({ ip: uniqueIp() });
      await inFreshRateWindow(40);
      expect(new Set(await statusesOf(600, () => probe.get('/api/health')))).toEqual(new Set([200]));
      const refused = await probe.get('/api/health');
      expect(refused.status).toBe(429);
      expect(refusal(refused.body.error)).toMatch(new RegExp(`^Too many health checks\\. ${WAIT.source}`));
    },
    LONG,
  );
});
