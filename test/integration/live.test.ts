import { afterEach, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { Temporal } from 'temporal-polyfill';
import * as schema from '../../db/schema.ts';
import type { Json } from '../support/client.ts';
import { db } from '../support/database.ts';
import { openLive, refusedUpgradeStatus } from '../support/live.ts';
import { givenStudent, givenTeacher } from '../support/scenario.ts';
import { appUrl } from '../support/stack.ts';

const daysAhead = (days: number) => Temporal.Now.plainDateISO('Europe/Berlin').add({ days }).toString();
const opened: { close(): Promise<void> }[] = [];
async function watch(cookie: string, query = '') {
  const live = await openLive(`/api/live/teacher${query}`, cookie);
  opened.push(live);
  return live;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((l) => l.close()));
});

describe('the live calendar', () => {
  it('greets a watcher with the current version', async () => {
    const teacher = await givenTeacher({ calendarVersion: 7 });
    const live = await watch(teacher.cookie);
    expect(await live.next((m) => m.type === 'hello')).toMatchObject({ version: 7 });
  });

  it('shows every watcher a new slot, with the version it was committed at', async () => {
    const teacher = await givenTeacher();
    const first = await watch(teacher.cookie);
    const second = await watch(teacher.cookie);
    await first.next((m) => m.type === 'hello');
    await second.next((m) => m.type === 'hello');
    const created = await teacher.api.post('/api/teacher/slots', {
      start: `${daysAhead(2)}T09:00`,
      subject: 'Chemistry',
    });
    for (const live of [first, second]) {
      const { event } = await live.next((m) => m.type === 'event');
      expect(event).toMatchObject({ version: 1, kind: 'slots.upserted' });
      expect(event.slots[0]).toMatchObject({ id: created.body.slots[0].id, subject: 'Chemistry', status: 'open' });
    }
    await teacher.api.post('/api/teacher/slots/cancel', { slotIds: [created.body.slots[0].id] });
    const { event } = await first.next((m) => m.type === 'event');
    expect(event).toMatchObject({ version: 2, kind: 'slots.removed' });
  });

  it("keeps one teacher's changes away from another teacher's watchers", async () => {
    const teacher = await givenTeacher();
    const other = await givenTeacher();
    const otherLive = await watch(other.cookie);
    await otherLive.next((m) => m.type === 'hello');
    const mine = await watch(teacher.cookie);
    await mine.next((m) => m.type === 'hello');
    await teacher.api.post('/api/teacher/slots', { start: `${daysAhead(2)}T09:00` });
    await mine.next((m) => m.type === 'event');
    otherLive.send({ type: 'ping' });
    await otherLive.next((m) => m.type === 'heartbeat');
    expect(otherLive.messages.filter((m) => m.type === 'event')).toEqual([]);
  });

  it('catches a reconnecting watcher up from the events it missed', async () => {
    const teacher = await givenTeacher();
    const live = await watch(teacher.cookie);
    await live.next((m) => m.type === 'hello');
    await teacher.api.post('/api/teacher/slots', { start: `${daysAhead(2)}T09:00` });
    const { event } = await live.next((m) => m.type === 'event');
    await live.close();

    // Two changes while the watcher is away.
    await teacher.api.post('/api/teacher/slots', { start: `${daysAhead(2)}T11:00` });
    await teacher.api.post('/api/teacher/slots', { start: `${daysAhead(2)}T13:00` });

    const back = await watch(teacher.cookie);
    const hello = await back.next((m) => m.type === 'hello');
    expect(hello.version).toBe(3);
    back.send({ type: 'sync', since: event.version });
    const caughtUp = await back.next((m) => m.type === 'events');
    expect(caughtUp.events.map((e: Json) => e.version)).toEqual([2, 3]);
    expect(caughtUp.version).toBe(3);
  });

  it('sends a watcher that says which version it holds its catch-up with the hello, unasked', async () => {
    const teacher = await givenTeacher();
    for (const hour of ['09', '11', '13'])
      await teacher.api.post('/api/teacher/slots', { start: `${daysAhead(2)}T${hour}:00` });
    const back = await watch(teacher.cookie, '?since=1');
    expect(await back.next((m) => m.type === 'hello')).toMatchObject({ version: 3, since: 1 });
    const caughtUp = await back.next((m) => m.type === 'events');
    expect(caughtUp.events.map((e: Json) => e.version)).toEqual([2, 3]);
    // Anything but a whole number of at most 2^53 is refused before the upgrade, hostile text included.
    for (const since of [
      '-1',
      '',
      '%20',
      '1.5',
      '1e3',
      'abc',
      '%0D%0A1',
      '<b>1</b>',
      '9'.repeat(17),
      '9007199254740993',
    ])
      expect(
        await refusedUpgradeStatus(`/api/live/teacher?since=${since}`, { cookie: teacher.cookie, origin: appUrl() }),
      ).toBe(400);
  });

  it('asks the watcher to refetch when the missed events are no longer kept', async () => {
    const teacher = await givenTeacher({ calendarVersion: 500 });
    const live = await watch(teacher.cookie);
    await live.next((m) => m.type === 'hello');
    await teacher.api.post('/api/teacher/slots', { start: `${daysAhead(2)}T09:00` });
    await live.next((m) => m.type === 'event' && m.event.version === 501);
    live.send({ type: 'sync', since: 100 });
    expect(await live.next((m) => m.type === 'resync')).toMatchObject({ version: 501 });
  });

  it('answers a ping with a heartbeat carrying the version', async () => {
    const teacher = await givenTeacher();
    const live = await watch(teacher.cookie);
    await live.next((m) => m.type === 'hello');
    await teacher.api.post('/api/teacher/slots', { start: `${daysAhead(2)}T09:00` });
    await live.next((m) => m.type === 'event');
    live.send({ type: 'ping' });
    expect(await live.next((m) => m.type === 'heartbeat')).toMatchObject({ version: 1 });
  });

  it('asks a growing audience to spread its way back after a drop over a wider window', async () => {
    const teacher = await givenTeacher();
    const first = await watch(teacher.cookie);
    expect(await first.next((m) => m.type === 'hello')).toMatchObject({ reconnectWindowMs: 1_000 });
    const links: { token: string }[] = [];
    for (let i = 0; i < 13; i++) links.push(await givenStudent(teacher));
    // 125 watchers come back within 1 s at 125 a second; 10 sockets a link is each link's cap.
    const watchLink = async (i: number) => {
      const live = await openLive(`/api/live/link/${links[i % links.length]!.token}`);
      opened.push(live);
      return live;
    };
    for (let i = 0; i < 124; i += 31) {
      const batch = await Promise.all(Array.from({ length: Math.min(31, 124 - i) }, (_, j) => watchLink(i + j)));
      for (const live of batch)
        expect(await live.next((m) => m.type === 'hello')).toMatchObject({ reconnectWindowMs: 1_000 });
    }
    const newest = await watchLink(124);
    expect(await newest.next((m) => m.type === 'hello')).toMatchObject({ reconnectWindowMs: 2_000 });
    // The watchers already there hear of it too (at once; the test stack's heartbeat, every 1.5 s, says it as well).
    await first.next((m) => m.type === 'heartbeat' && m.reconnectWindowMs === 2_000);
    first.messages.splice(0);
    first.send({ type: 'ping' });
    expect(await first.next((m) => m.type === 'heartbeat')).toMatchObject({ reconnectWindowMs: 2_000 });
  });

  it('notices a change whose publish never arrived at the next heartbeat', async () => {
    const teacher = await givenTeacher();
    const live = await watch(teacher.cookie);
    await live.next((m) => m.type === 'hello');
    // A committed change with no publish: what a crash between commit and publish leaves behind.
    await db()
      .update(schema.teachers)
      .set({ calendarVersion: sql`${schema.teachers.calendarVersion} + 1` })
      .where(eq(schema.teachers.id, teacher.id));
    const beat = await live.next((m) => m.type === 'heartbeat' && m.version === 1, 8000);
    expect(beat.version).toBe(1);
  });

  it('refuses watchers without a session or from another origin', async () => {
    const teacher = await givenTeacher();
    expect(await refusedUpgradeStatus('/api/live/teacher', { origin: appUrl() })).toBe(401);
    expect(
      await refusedUpgradeStatus('/api/live/teacher', { origin: 'https://evil.example', cookie: teacher.cookie }),
    ).toBe(403);
  });
});
