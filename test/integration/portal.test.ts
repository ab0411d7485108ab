import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as schema from '../../db/schema.ts';
import type { Json } from '../support/client.ts';
import { db } from '../support/database.ts';
import { openLive } from '../support/live.ts';
import { givenSlots, givenStudent, givenTeacher, portalClient } from '../support/scenario.ts';
import { uniqueIp } from '../support/stack.ts';
import { inFreshRateWindow } from '../support/time.ts';

describe('the student portal', () => {
  it("shows the teacher's slots in a range, with the student's own booking marked", async () => {
    const teacher = await givenTeacher();
    const [first, second] = await givenSlots(teacher, 2);
    const student = await givenStudent(teacher, { name: 'Ada' });
    const calendar = await student.portal.calendar();
    expect(calendar.status).toBe(200);
    expect(calendar.body.teacher).toMatchObject({
      id: teacher.id,
      displayName: 'Test Teacher',
      timeZone: 'Europe/Berlin',
    });
    expect(calendar.body.slots.map((s: Json) => [s.id, s.status, s.mine, s.bookable])).toEqual([
      [first, 'open', false, true],
      [second, 'open', false, true],
    ]);
    const booked = await student.portal.book(first!);
    expect(booked.status).toBe(201);
    expect(booked.body.booking).toMatchObject({ slotId: first, status: 'scheduled', canCancel: true });
    const after = await student.portal.calendar();
    expect(after.body.slots[0]).toMatchObject({ id: first, status: 'booked', mine: true, bookable: false });
    expect(after.body.version).toBe(3);
  });

  it("never shows one student another student's name, email or booking id", async () => {
    const teacher = await givenTeacher();
    const [slot] = await givenSlots(teacher, 1);
    const ada = await givenStudent(teacher, { name: 'Ada Private' });
    const ben = await givenStudent(teacher, { name: 'Ben' });
    const booked = await ada.portal.book(slot!);
    const seenByBen = await ben.portal.calendar();
    expect(seenByBen.body.slots[0]).toMatchObject({ status: 'booked', mine: false });
    const text = JSON.stringify(seenByBen.body) + JSON.stringify((await ben.portal.myBookings()).body);
    for (const secret of ['Ada Private', ada.email, ada.id, booked.body.booking.id, ada.token])
      expect(text).not.toContain(secret);
    expect((await ben.portal.myBookings()).body.bookings).toEqual([]);
    // Ben can't cancel Ada's booking by guessing its id.
    const attempt = await ben.portal.cancel(booked.body.booking.id);
    expect(attempt.status).toBe(404);
  });

  it('shows a token only its own teacher’s calendar', async () => {
    const a = await givenTeacher();
    const b = await givenTeacher();
    await givenSlots(a, 1);
    const [bSlot] = await givenSlots(b, 1, 72);
    const student = await givenStudent(a);
    const calendar = await student.portal.calendar();
    expect(calendar.body.teacher.id).toBe(a.id);
    expect(JSON.stringify(calendar.body)).not.toContain(bSlot);
    expect((await student.portal.book(bSlot!)).status).toBe(404);
  });

  it('puts the booking on the teacher calendar with the student name and color, and counts the use', async () => {
    const teacher = await givenTeacher();
    const [slot] = await givenSlots(teacher, 1);
    const student = await givenStudent(teacher, { name: 'Cleo' });
    await student.portal.book(slot!);
    const view = await teacher.api.get(`/api/teacher/calendar?from=${Date.now()}&to=${Date.now() + 10 * 86_400_000}`);
    expect(view.body.slots[0]).toMatchObject({
      status: 'booked',
      booking: { studentName: 'Cleo', studentColor: student.color },
    });
    expect((await teacher.api.get(`/api/teacher/students/${student.id}/share-link`)).body.link.useCount).toBe(1);
    const actions = (await db().select().from(schema.auditLog).where(eq(schema.auditLog.actorId, student.linkId))).map(
      (r) => r.action,
    );
    expect(actions).toContain('booking.created');
  });

  it('enforces minimum notice, booking horizon, past and canceled slots on the server', async () => {
    const teacher = await givenTeacher({ minNoticeMinutes: 24 * 60, bookingHorizonDays: 5 });
    const [soon] = await givenSlots(teacher, 1, 6);
    const [far] = await givenSlots(teacher, 1, 24 * 8);
    const [gone] = await givenSlots(teacher, 1, 50);
    await teacher.api.post('/api/teacher/slots/cancel', { slotIds: [gone] });
    const student = await givenStudent(teacher);
    const tooSoon = await student.portal.book(soon!);
    expect(tooSoon.status).toBe(409);
    expect(tooSoon.body.error).toMatchObject({ code: 'too_late_to_book' });
    expect(tooSoon.body.error.message).toMatch(/1 day before/);
    expect((await student.portal.book(far!)).body.error.code).toBe('too_far_ahead');
    expect((await student.portal.book(gone!)).status).toBe(404);
    await db()
      .update(schema.slots)
      .set({ startsAt: Date.now() - 3_600_000, endsAt: Date.now() - 1000 })
      .where(eq(schema.slots.id, far!));
    expect((await student.portal.book(far!)).body.error.code).toBe('slot_past');
    expect(await db().select().from(schema.bookings).where(eq(schema.bookings.teacherId, teacher.id))).toEqual([]);
  });

  it('stops booking when the link has used all the bookings it allows, but still shows and cancels them', async () => {
    const teacher = await givenTeacher();
    const [one, two] = await givenSlots(teacher, 2, 72);
    const student = await givenStudent(teacher, { maxUses: 1 });
    const first = await student.portal.book(one!);
    expect(first.status).toBe(201);
    const second = await student.portal.book(two!);
    expect(second.status).toBe(410);
    expect(second.body.error.code).toBe('link_used_up');
    // The calendar still opens (to move the booking), saying the link is used up.
    expect((await student.portal.calendar()).body.link).toMatchObject({ state: 'used_up', remainingBookings: 0 });
    expect((await student.portal.myBookings()).body.bookings).toHaveLength(1);
    expect((await student.portal.cancel(first.body.booking.id)).status).toBe(200);
    // The canceled booking gave its use back.
    expect((await student.portal.book(two!)).status).toBe(201);
  });

  it('cancels within the cancellation window and reopens the slot; refuses outside it', async () => {
    const teacher = await givenTeacher({ cancellationWindowMinutes: 24 * 60, minNoticeMinutes: 60 });
    const [later, soon] = [...(await givenSlots(teacher, 1, 72)), ...(await givenSlots(teacher, 1, 5))];
    const student = await givenStudent(teacher);
    const booked = await student.portal.book(later!);
    const canceled = await student.portal.cancel(booked.body.booking.id);
    expect(canceled.status).toBe(200);
    expect((await student.portal.calendar()).body.slots.find((s: Json) => s.id === later)).toMatchObject({
      status: 'open',
      mine: false,
    });
    const close = await student.portal.book(soon!);
    expect(close.body.booking.canCancel).toBe(false);
    const refused = await student.portal.cancel(close.body.booking.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('cancellation_window_passed');
    expect(refused.body.error.message).toMatch(/1 day before/);
  });

  it('lets exactly one of many students racing for a slot book it; the rest get 409', async () => {
    const teacher = await givenTeacher();
    const [slot] = await givenSlots(teacher, 1);
    const students = await Promise.all(Array.from({ length: 8 }, () => givenStudent(teacher)));
    const results = await Promise.all(students.map((s) => s.portal.book(slot!)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const losers = results.filter((r) => r.status !== 201);
    expect(losers.map((r) => r.status)).toEqual(Array(7).fill(409));
    expect(losers[0]!.body.error.message).toMatch(/just booked/);
    const scheduled = await db().select().from(schema.bookings).where(eq(schema.bookings.slotId, slot!));
    expect(scheduled).toHaveLength(1);
  });

  it('tells every watcher about a booking, filtered for each of them', async () => {
    const teacher = await givenTeacher();
    const [slot] = await givenSlots(teacher, 1);
    const ada = await givenStudent(teacher, { name: 'Ada Watcher' });
    const ben = await givenStudent(teacher, { name: 'Ben Watcher' });
    const teacherLive = await openLive('/api/live/teacher', teacher.cookie);
    const benLive = await openLive(`/api/live/link/${ben.token}`);
    const adaLive = await openLive(`/api/live/link/${ada.token}`);
    for (const live of [teacherLive, benLive, adaLive]) await live.next((m) => m.type === 'hello');
    await ada.portal.book(slot!);
    const forTeacher = (await teacherLive.next((m) => m.type === 'event')).event.slots[0];
    const forBen = await benLive.next((m) => m.type === 'event');
    const forAda = (await adaLive.next((m) => m.type === 'event')).event.slots[0];
    expect(forTeacher).toMatchObject({
      status: 'booked',
      booking: { studentName: 'Ada Watcher', studentColor: ada.color },
    });
    expect(forBen.event.slots[0]).toMatchObject({ status: 'booked', mine: false });
    expect(JSON.stringify(forBen)).not.toMatch(/Ada|booking/);
    expect(forAda).toMatchObject({ status: 'booked', mine: true });
    for (const live of [teacherLive, benLive, adaLive]) await live.close();
  });

  it('rate-limits booking attempts per client address with Retry-After', async () => {
    const teacher = await givenTeacher();
    const ip = uniqueIp();
    const students = await Promise.all(Array.from({ length: 3 }, () => givenStudent(teacher)));
    await inFreshRateWindow();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++)
      statuses.push((await portalClient(students[i % 3]!.token, ip).book(crypto.randomUUID())).status);
    expect(statuses.slice(0, 20).every((s) => s !== 429)).toBe(true);
    const refused = await portalClient(students[0]!.token, ip).book(crypto.randomUUID());
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('portal read limits', () => {
  it('rate-limits calendar reads per link, whatever the client address', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    await inFreshRateWindow(30);
    const statuses: number[] = [];
    for (let i = 0; i < 121; i++) statuses.push((await portalClient(student.token).calendar()).status);
    expect(statuses.slice(0, 120).every((s) => s === 200)).toBe(true);
    expect(statuses[120]).toBe(429);
  }, 90_000);

  it("limits guessed tokens per address, while a link's own reads spend only the link's budget", async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    const ip = uniqueIp();
    await inFreshRateWindow(40);
    // The first read spends the address's budget too; the link is then known, and its reads spend the link's.
    for (let i = 0; i < 100; i++) expect((await portalClient(student.token, ip).calendar()).status).toBe(200);
    const guesses: number[] = [];
    for (let i = 0; i < 120; i++) guesses.push((await portalClient(unknownToken(), ip).calendar()).status);
    expect(guesses.slice(0, 119).every((s) => s === 404)).toBe(true);
    expect(guesses[119]).toBe(429);
  }, 90_000);
});

/** A token of a share link's shape that no link has. */
const unknownToken = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => 'abcdefghijklmnopqrstuvwxyz234567'[b % 32]).join('');
