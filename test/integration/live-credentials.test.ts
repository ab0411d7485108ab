/**
 * A live socket lives only as long as the credential that opened it, and no credential, address or socket can
 * ask more of a teacher's calendar object than its share. The test stack beats every 1.5 s
 * (LIVE_HEARTBEAT_MS), so "within one heartbeat" is a few seconds at most here.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as schema from '../../db/schema.ts';
import { LIVE_CLOSE } from '../../shared/live-protocol.ts';
import { testClient } from '../support/client.ts';
import { db } from '../support/database.ts';
import { openLive, refusedUpgradeStatus, type Live, type LiveOptions } from '../support/live.ts';
import { givenStudent, givenTeacher } from '../support/scenario.ts';
import { appUrl, uniqueIp } from '../support/stack.ts';
import { createSessionFor } from '../support/teacher-session.ts';
import { hoursFromNow, inFreshRateWindow } from '../support/time.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** One heartbeat of the test stack, plus room for a loaded machine. */
const WITHIN_A_HEARTBEAT_MS = 1500 + 3000;

const opened: Live[] = [];
async function watch(path: string, cookie?: string, options?: LiveOptions) {
  const live = await openLive(path, cookie, options);
  opened.push(live);
  await live.next((m) => m.type === 'hello');
  return live;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((l) => l.close()));
});

const sessionIdOf = (cookie: string) => cookie.split('=')[1]!.split('.')[0]!;
/** A token of a share link's shape that no link has. */
const unknownToken = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => 'abcdefghijklmnopqrstuvwxyz234567'[b % 32]).join('');
const slotEvents = (live: Live) => live.messages.filter((m) => m.type === 'event');

describe('a live socket ends with its credential', () => {
  it('closes the teacher’s socket at sign-out, before anything more reaches it', async () => {
    const teacher = await givenTeacher();
    const otherCookie = await createSessionFor(db(), teacher.id);
    const otherTab = testClient({ cookie: otherCookie });
    const live = await watch('/api/live/teacher', teacher.cookie);
    const stillWatching = await watch('/api/live/teacher', otherCookie);

    expect((await teacher.api.post('/api/auth/sign-out')).status).toBe(204);
    // A change made right after, from the teacher's other session: the signed-out socket must not see it.
    expect((await otherTab.post('/api/teacher/slots', { start: hoursFromNow(48) })).status).toBe(201);
    await stillWatching.next((m) => m.type === 'event');

    expect(await live.closedByServer()).toEqual({
      code: LIVE_CLOSE.sessionEnded,
      reason: 'Your session has ended. Please sign in again.',
    });
    expect(slotEvents(live)).toEqual([]);
    expect(stillWatching.isOpen()).toBe(true);
  });

  it('closes a share link’s socket when the teacher revokes the link, before anything more reaches it', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    const live = await watch(`/api/live/link/${student.token}`);
    const teacherLive = await watch('/api/live/teacher', teacher.cookie);

    expect((await teacher.api.post(`/api/teacher/students/${student.id}/share-link/revoke`)).status).toBe(200);
    expect((await teacher.api.post('/api/teacher/slots', { start: hoursFromNow(48) })).status).toBe(201);
    await teacherLive.next((m) => m.type === 'event');

    expect((await live.closedByServer()).code).toBe(LIVE_CLOSE.linkRevoked);
    expect(slotEvents(live)).toEqual([]);
  });

  it('closes a session’s socket within a heartbeat of the session’s absolute lifetime running out', async () => {
    const teacher = await givenTeacher();
    const [session] = await db()
      .select()
      .from(schema.authSessions)
      .where(eq(schema.authSessions.id, sessionIdOf(teacher.cookie)));
    // A teacher who uses Slotcast every few days keeps the session past the 10-day inactivity timeout, up to
    // its 30 days; the socket is opened two seconds before those are up (all by the test clock).
    for (const day of [9, 18, 27])
      expect((await teacher.api.at(session!.createdAt + day * DAY_MS).get('/api/auth/me')).status).toBe(200);
    const live = await watch('/api/live/teacher', teacher.cookie, { now: session!.createdAt + 30 * DAY_MS - 2000 });
    expect((await live.closedByServer(2000 + WITHIN_A_HEARTBEAT_MS)).code).toBe(LIVE_CLOSE.sessionEnded);
  });

  it('closes a session’s socket within a heartbeat once the session has been idle too long', async () => {
    const teacher = await givenTeacher();
    const live = await watch('/api/live/teacher', teacher.cookie);
    // Ten days without a request, as the database records it: what the inactivity timeout measures.
    await db()
      .update(schema.authSessions)
      .set({ lastVerifiedAt: Date.now() - 10 * DAY_MS })
      .where(eq(schema.authSessions.id, sessionIdOf(teacher.cookie)));
    expect((await live.closedByServer(WITHIN_A_HEARTBEAT_MS)).code).toBe(LIVE_CLOSE.sessionEnded);
  });

  it('closes a disabled account’s sockets within a heartbeat', async () => {
    const teacher = await givenTeacher();
    const live = await watch('/api/live/teacher', teacher.cookie);
    await db().update(schema.users).set({ disabledAt: Date.now() }).where(eq(schema.users.id, teacher.id));
    expect((await live.closedByServer(WITHIN_A_HEARTBEAT_MS)).code).toBe(LIVE_CLOSE.sessionEnded);
  });

  it('closes a share link’s socket within a heartbeat of the link expiring', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher, { expiresInDays: 1 });
    const [link] = await db().select().from(schema.shareLinks).where(eq(schema.shareLinks.id, student.linkId));
    const live = await watch(`/api/live/link/${student.token}`, undefined, { now: link!.expiresAt - 2000 });
    expect(await live.closedByServer(2000 + WITHIN_A_HEARTBEAT_MS)).toEqual({
      code: LIVE_CLOSE.linkExpired,
      reason: 'This booking link has expired. Ask your teacher for a new one.',
    });
  });

  it('keeps a socket whose credential is still good open across heartbeats', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    const teacherLive = await watch('/api/live/teacher', teacher.cookie);
    const studentLive = await watch(`/api/live/link/${student.token}`);
    for (const live of [teacherLive, studentLive]) {
      await live.next((m) => m.type === 'heartbeat', WITHIN_A_HEARTBEAT_MS);
      await live.next((m) => m.type === 'heartbeat', WITHIN_A_HEARTBEAT_MS);
      expect(live.isOpen()).toBe(true);
    }
  });
});

describe('what one credential, address or socket may ask of a calendar', () => {
  it('refuses the 11th socket of one share link with a 429', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    for (let i = 0; i < 10; i++) await watch(`/api/live/link/${student.token}`);
    expect(
      await refusedUpgradeStatus(`/api/live/link/${student.token}`, {
        origin: appUrl(),
        'cf-connecting-ip': uniqueIp(),
      }),
    ).toBe(429);
  });

  it('refuses the 21st socket of one session with a 429', async () => {
    const teacher = await givenTeacher();
    for (let i = 0; i < 20; i++) await watch('/api/live/teacher', teacher.cookie);
    expect(await refusedUpgradeStatus('/api/live/teacher', { origin: appUrl(), cookie: teacher.cookie })).toBe(429);
    // Another session of the same teacher still may.
    await watch('/api/live/teacher', await createSessionFor(db(), teacher.id));
  });

  it('refuses the 51st socket from one address on one calendar with a 429, and no other address', async () => {
    const teacher = await givenTeacher();
    const ip = uniqueIp();
    const cookies = [
      teacher.cookie,
      await createSessionFor(db(), teacher.id),
      await createSessionFor(db(), teacher.id),
    ];
    for (let i = 0; i < 50; i++) await watch('/api/live/teacher', cookies[i % 3], { ip });
    expect(
      await refusedUpgradeStatus('/api/live/teacher', {
        origin: appUrl(),
        cookie: await createSessionFor(db(), teacher.id),
        'cf-connecting-ip': ip,
      }),
    ).toBe(429);
    await watch('/api/live/teacher', await createSessionFor(db(), teacher.id));
  });

  it('closes a socket that sends something that isn’t the protocol', async () => {
    const teacher = await givenTeacher();
    const notJson = await watch('/api/live/teacher', teacher.cookie);
    notJson.ws.send('hello?');
    expect((await notJson.closedByServer()).code).toBe(LIVE_CLOSE.badMessage);
    const unknownType = await watch('/api/live/teacher', teacher.cookie);
    unknownType.send({ type: 'publish', event: { version: 99 } });
    expect((await unknownType.closedByServer()).code).toBe(LIVE_CLOSE.badMessage);
    const binary = await watch('/api/live/teacher', teacher.cookie);
    binary.ws.send(Buffer.from([1, 2, 3]));
    expect((await binary.closedByServer()).code).toBe(LIVE_CLOSE.badMessage);
  });

  it('answers a few pings and closes a socket that floods', async () => {
    const teacher = await givenTeacher();
    const calm = await watch('/api/live/teacher', teacher.cookie);
    for (let i = 0; i < 5; i++) calm.send({ type: 'ping' });
    for (let i = 0; i < 5; i++) await calm.next((m) => m.type === 'heartbeat');
    expect(calm.isOpen()).toBe(true);

    const flood = await watch('/api/live/teacher', teacher.cookie);
    for (let i = 0; i < 200; i++) flood.send({ type: 'ping' });
    expect((await flood.closedByServer()).code).toBe(LIVE_CLOSE.tooManyMessages);
    expect(flood.messages.filter((m) => m.type === 'heartbeat').length).toBeLessThan(200);
  });

  it(
    'rate-limits upgrades per address before looking the token up, unknown tokens included',
    { timeout: 90_000 },
    async () => {
      await inFreshRateWindow(40);
      const ip = uniqueIp();
      const statuses: number[] = [];
      // RL_PORTAL_READ allows 120 a minute per address, like the portal's calendar reads.
      for (let i = 0; i < 121; i++)
        statuses.push(
          await refusedUpgradeStatus(`/api/live/link/${unknownToken()}`, { origin: appUrl(), 'cf-connecting-ip': ip }),
        );
      expect(statuses.slice(0, 120).every((s) => s === 404)).toBe(true);
      expect(statuses[120]).toBe(429);
    },
  );

  it('rate-limits upgrades per link, from any number of addresses', { timeout: 90_000 }, async () => {
    await inFreshRateWindow(40);
    const token = unknownToken();
    const statuses: number[] = [];
    for (let i = 0; i < 121; i++)
      statuses.push(await refusedUpgradeStatus(`/api/live/link/${token}`, { origin: appUrl() }));
    expect(statuses.slice(0, 120).every((s) => s === 404)).toBe(true);
    expect(statuses[120]).toBe(429);
  });
});
