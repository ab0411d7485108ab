/**
 * Live tickets: the page's calendar read hands out a short-lived signed ticket, and an upgrade that brings it
 * opens the socket without looking the credential up (what keeps a reconnect storm after a deploy off the
 * database). A ticket opens only its own credential's socket, only for a minute and a half, and never after its
 * credential ended. The test stack beats every 1.5 s (LIVE_HEARTBEAT_MS).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as schema from '../../db/schema.ts';
import { LIVE_CLOSE } from '../../shared/live-protocol.ts';
import { testClient } from '../support/client.ts';
import { db } from '../support/database.ts';
import { openLive, refusedUpgradeStatus, type Live, type LiveOptions } from '../support/live.ts';
import { givenStudent, givenTeacher, portalClient } from '../support/scenario.ts';
import { appUrl, uniqueIp } from '../support/stack.ts';
import { createSessionFor } from '../support/teacher-session.ts';
import { hoursFromNow, inFreshRateWindow, timeoutWithRateWindowWaits } from '../support/time.ts';

/** One heartbeat of the test stack, plus room for a loaded machine. */
const WITHIN_A_HEARTBEAT_MS = 1500 + 3000;

interface Ticket {
  value: string;
  expiresAt: number;
}

const opened: Live[] = [];
async function watch(path: string, cookie?: string, options?: LiveOptions) {
  const live = await openLive(path, cookie, options);
  opened.push(live);
  return live;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((l) => l.close()));
});

const withTicket = (path: string, ticket: Ticket) => `${path}?ticket=${encodeURIComponent(ticket.value)}`;

async function portalTicket(token: string): Promise<Ticket> {
  const read = await portalClient(token).calendar();
  expect(read.status).toBe(200);
  return read.body.ticket as Ticket;
}

async function teacherTicket(cookie: string): Promise<Ticket> {
  const from = Date.now();
  const read = await testClient({ cookie }).get(`/api/teacher/calendar?from=${from}&to=${from + 7 * 86_400_000}`);
  expect(read.status).toBe(200);
  return read.body.ticket as Ticket;
}

describe('a ticket from the page’s own read opens its live socket', () => {
  it('opens a share link’s socket that gets the student’s events, and lives a minute and a half', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    const before = Date.now();
    const ticket = await portalTicket(student.token);
    expect(ticket.expiresAt).toBeGreaterThanOrEqual(before + 90_000);
    expect(ticket.expiresAt).toBeLessThanOrEqual(Date.now() + 90_000);

    const live = await watch(withTicket(`/api/live/link/${student.token}`, ticket));
    await live.next((m) => m.type === 'hello');
    expect((await teacher.api.post('/api/teacher/slots', { start: hoursFromNow(48) })).status).toBe(201);
    const { event } = await live.next((m) => m.type === 'event');
    expect(event.slots[0]).not.toHaveProperty('booking');
  });

  it('opens the teacher’s socket with the session that read it, and is renewed at each heartbeat', async () => {
    const teacher = await givenTeacher();
    const ticket = await teacherTicket(teacher.cookie);
    const live = await watch(withTicket('/api/live/teacher', ticket), teacher.cookie);
    await live.next((m) => m.type === 'hello');

    const renewed = await live.next((m) => m.type === 'ticket', WITHIN_A_HEARTBEAT_MS * 2);
    const again = await watch(withTicket('/api/live/teacher', renewed.ticket as Ticket), teacher.cookie);
    await again.next((m) => m.type === 'hello');
  });
});

describe('a ticket opens nothing else', () => {
  it('is refused once expired (401), so the page reads the calendar again', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    const ticket = await portalTicket(student.token);
    const later = { 'x-slotcast-now': String(ticket.expiresAt + 1), origin: appUrl() };
    expect(await refusedUpgradeStatus(withTicket(`/api/live/link/${student.token}`, ticket), later)).toBe(401);
  });

  it('is refused when forged or altered (403)', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    const ticket = await portalTicket(student.token);
    const [body, signature] = ticket.value.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as { expiresAt: number };
    const longer = Buffer.from(JSON.stringify({ ...claims, expiresAt: claims.expiresAt + 86_400_000 })).toString(
      'base64url',
    );
    const path = `/api/live/link/${student.token}`;
    const headers = { origin: appUrl() };
    for (const value of [`${longer}.${signature}`, `${body}.${signature.slice(0, -2)}AA`, 'not-a-ticket'])
      expect(await refusedUpgradeStatus(withTicket(path, { value, expiresAt: 0 }), headers)).toBe(403);
  });

  it(
    'spends no address budget when good, while forged ones from that address are limited (429)',
    async () => {
      const teacher = await givenTeacher();
      const student = await givenStudent(teacher);
      const ticket = await portalTicket(student.token);
      const path = `/api/live/link/${student.token}`;
      const ip = uniqueIp();
      const headers = { origin: appUrl(), 'cf-connecting-ip': ip };
      await inFreshRateWindow(30);
      // The address's portal budget is 120 a minute (wrangler.toml RL_PORTAL_READ): forged tickets spend it.
      const forged = { value: `${ticket.value.split('.')[0]}.AAAA`, expiresAt: 0 };
      const statuses: number[] = [];
      for (let sent = 0; sent < 121; sent += 11)
        statuses.push(
          ...(await Promise.all(
            Array.from({ length: Math.min(11, 121 - sent) }, () =>
              refusedUpgradeStatus(withTicket(path, forged), headers),
            ),
          )),
        );
      expect(statuses.filter((s) => s === 403)).toHaveLength(120);
      expect(statuses.filter((s) => s === 429)).toHaveLength(1);
      // The good ticket is no guess: it opens from the same address, whose budget is spent.
      const live = await watch(withTicket(path, ticket), undefined, { ip });
      expect(await live.next((m) => m.type === 'hello')).toMatchObject({ type: 'hello' });
      // A guess from that address (a token this isolate hasn't seen hold) is refused before any lookup.
      expect(await refusedUpgradeStatus(`/api/live/link/${'a'.repeat(32)}`, headers)).toBe(429);
    },
    timeoutWithRateWindowWaits(30),
  );

  it('is refused for another link, another teacher’s calendar or another session (403)', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    const classmate = await givenStudent(teacher, { name: 'Cleo Classmate' });
    const otherTeacher = await givenTeacher();
    const elsewhere = await givenStudent(otherTeacher);
    const ticket = await portalTicket(student.token);
    const headers = { origin: appUrl() };

    for (const token of [classmate.token, elsewhere.token])
      expect(await refusedUpgradeStatus(withTicket(`/api/live/link/${token}`, ticket), headers)).toBe(403);
    const teachersTicket = await teacherTicket(teacher.cookie);
    expect(
      await refusedUpgradeStatus(withTicket('/api/live/teacher', teachersTicket), {
        ...headers,
        cookie: otherTeacher.cookie,
      }),
    ).toBe(403);
    expect(
      await refusedUpgradeStatus(withTicket('/api/live/teacher', ticket), { ...headers, cookie: teacher.cookie }),
    ).toBe(403);
    // A link's ticket in the teacher's path without any cookie: nobody to bind it to.
    expect(await refusedUpgradeStatus(withTicket('/api/live/teacher', ticket), headers)).toBe(401);
  });
});

describe('a ticket never outlives its credential', () => {
  it('closes a socket opened with the ticket of a link revoked since (4403)', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    const ticket = await portalTicket(student.token);
    expect((await teacher.api.post(`/api/teacher/students/${student.id}/share-link/revoke`)).status).toBe(200);

    const live = await watch(withTicket(`/api/live/link/${student.token}`, ticket));
    expect((await live.closedByServer()).code).toBe(LIVE_CLOSE.linkRevoked);
    expect(live.messages.filter((m) => m.type === 'hello' || m.type === 'event')).toEqual([]);
  });

  it('closes a socket opened with the ticket of a session signed out since (4401)', async () => {
    const teacher = await givenTeacher();
    const ticket = await teacherTicket(teacher.cookie);
    expect((await teacher.api.post('/api/auth/sign-out')).status).toBe(204);

    const live = await watch(withTicket('/api/live/teacher', ticket), teacher.cookie);
    expect((await live.closedByServer()).code).toBe(LIVE_CLOSE.sessionEnded);
    expect(live.messages.filter((m) => m.type === 'hello' || m.type === 'event')).toEqual([]);
  });

  it('closes a ticket-opened socket within a heartbeat when the account was disabled behind the app’s back', async () => {
    const teacher = await givenTeacher();
    const cookie = await createSessionFor(db(), teacher.id);
    const ticket = await teacherTicket(cookie);
    await db().update(schema.users).set({ disabledAt: Date.now() }).where(eq(schema.users.id, teacher.id));

    const live = await watch(withTicket('/api/live/teacher', ticket), cookie);
    expect((await live.closedByServer(WITHIN_A_HEARTBEAT_MS)).code).toBe(LIVE_CLOSE.sessionEnded);
    expect(live.messages.some((m) => m.type === 'ticket')).toBe(false);
  });
});
