import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Temporal } from 'temporal-polyfill';
import * as schema from '../../db/schema.ts';
import { testClient, type Json } from '../support/client.ts';
import { db, slotsOf } from '../support/database.ts';
import { givenTeacher } from '../support/scenario.ts';
import { refusal } from '../support/refusal.ts';

const DAY = 24 * 3600_000;
/** A date some days ahead in a zone, as "YYYY-MM-DD": tests move with the clock instead of a fixed date. */
const daysAhead = (days: number, timeZone = 'Europe/Berlin') =>
  Temporal.Now.plainDateISO(timeZone).add({ days }).toString();
const weekRange = (fromDays = 0, toDays = 60) => `from=${Date.now() + fromDays * DAY}&to=${Date.now() + toDays * DAY}`;

/** The last Sunday of March after today: the day Europe's clocks spring forward. */
function nextEuropeanSpringChange(): Temporal.PlainDate {
  const today = Temporal.Now.plainDateISO('Europe/Berlin');
  for (let year = today.year; ; year++) {
    let date = Temporal.PlainDate.from({ year, month: 3, day: 31 });
    while (date.dayOfWeek !== 7) date = date.subtract({ days: 1 });
    if (Temporal.PlainDate.compare(date, today.add({ days: 7 })) > 0) return date;
  }
}

describe('creating single slots', () => {
  it('creates a slot at a wall time in the teacher zone and lists it', async () => {
    const teacher = await givenTeacher({ timeZone: 'Europe/Berlin' });
    const date = daysAhead(3);
    const created = await teacher.api.post('/api/teacher/slots', {
      start: `${date}T09:00`,
      lengthMinutes: 45,
      subject: 'Algebra',
    });
    expect(created.status).toBe(201);
    expect(created.body.version).toBe(1);
    const [slot] = created.body.slots;
    const expectedStart = Temporal.PlainDateTime.from(`${date}T09:00`).toZonedDateTime(
      'Europe/Berlin',
    ).epochMilliseconds;
    expect(slot).toMatchObject({
      startsAt: expectedStart,
      endsAt: expectedStart + 45 * 60_000,
      subject: 'Algebra',
      status: 'open',
    });

    const listed = await teacher.api.get(`/api/teacher/calendar?${weekRange()}`);
    expect(listed.status).toBe(200);
    expect(listed.body.version).toBe(1);
    expect(listed.body.slots.map((s: Json) => s.id)).toEqual([slot.id]);
    expect(listed.body.teacher.timeZone).toBe('Europe/Berlin');
  });

  it('uses the default slot length from the booking rules', async () => {
    const teacher = await givenTeacher({ defaultSlotMinutes: 50 });
    const created = await teacher.api.post('/api/teacher/slots', { start: `${daysAhead(2)}T10:00` });
    expect(created.body.slots[0].endsAt - created.body.slots[0].startsAt).toBe(50 * 60_000);
  });

  it('refuses an overlapping slot with a clear message and writes nothing', async () => {
    const teacher = await givenTeacher();
    const date = daysAhead(4);
    await teacher.api.post('/api/teacher/slots', { start: `${date}T09:00`, lengthMinutes: 60 });
    const overlap = await teacher.api.post('/api/teacher/slots', { start: `${date}T09:30`, lengthMinutes: 60 });
    expect(overlap.status).toBe(409);
    expect(overlap.body.error.code).toBe('slot_overlap');
    expect(overlap.body.error.message).toMatch(/overlap/i);
    expect(overlap.body.error.details.conflicts).toHaveLength(1);
    expect(await slotsOf(teacher.id)).toHaveLength(1);
    const [row] = await db().select().from(schema.teachers).where(eq(schema.teachers.id, teacher.id));
    expect(row!.calendarVersion).toBe(1);
  });

  it('keeps the teacher buffer free between slots', async () => {
    const teacher = await givenTeacher({ bufferMinutes: 15 });
    const date = daysAhead(4);
    expect((await teacher.api.post('/api/teacher/slots', { start: `${date}T09:00`, lengthMinutes: 60 })).status).toBe(
      201,
    );
    expect((await teacher.api.post('/api/teacher/slots', { start: `${date}T10:10`, lengthMinutes: 30 })).status).toBe(
      409,
    );
    expect((await teacher.api.post('/api/teacher/slots', { start: `${date}T10:15`, lengthMinutes: 30 })).status).toBe(
      201,
    );
  });

  it('lets the database refuse an overlap even when the API check is bypassed', async () => {
    const teacher = await givenTeacher();
    const start = Date.now() + 5 * DAY;
    const row = (id: string, offset: number) => ({
      id,
      teacherId: teacher.id,
      startsAt: start + offset,
      endsAt: start + offset + 3600_000,
      subject: '',
      status: 'open' as const,
      createdAt: 0,
      updatedAt: 0,
    });
    await db().insert(schema.slots).values(row(crypto.randomUUID(), 0));
    await expect(db().insert(schema.slots).values(row(crypto.randomUUID(), 1800_000))).rejects.toThrow();
  });

  it('refuses bad input with a message per field and writes nothing', async () => {
    const teacher = await givenTeacher();
    const cases: [unknown, RegExp][] = [
      [{}, /^start: This is required\.$/],
      [{ start: 'tomorrow at nine' }, /^start: /],
      [{ start: `${daysAhead(2)}T09:00`, lengthMinutes: 0 }, /at least 5 minutes/],
      [{ start: `${daysAhead(2)}T09:00`, lengthMinutes: 1000 }, /at most 12 hours/],
      [{ start: `${daysAhead(2)}T09:00`, subject: 'x'.repeat(500) }, /120 characters/],
      [{ start: `${daysAhead(-2)}T09:00` }, /already passed/],
    ];
    for (const [body, message] of cases) {
      const result = await teacher.api.post('/api/teacher/slots', body);
      expect(result.status, JSON.stringify(body)).toBe(400);
      expect(refusal(result.body.error)).toMatch(message);
    }
    const notJson = await teacher.api.post('/api/teacher/slots', '{"start": ');
    expect(notJson.status).toBe(400);
    expect(await slotsOf(teacher.id)).toHaveLength(0);
  });

  it('asks who you are before anything else', async () => {
    expect((await testClient().post('/api/teacher/slots', { start: `${daysAhead(2)}T09:00` })).status).toBe(401);
    expect((await testClient().get(`/api/teacher/calendar?${weekRange()}`)).status).toBe(401);
  });
});

describe('weekly recurring slots', () => {
  it('creates every occurrence in the range in one change', async () => {
    const teacher = await givenTeacher();
    const result = await teacher.api.post('/api/teacher/slots/recurring', {
      days: [1, 3, 5],
      startTime: '16:00',
      lengthMinutes: 60,
      from: daysAhead(1),
      until: daysAhead(28),
      subject: 'Piano',
    });
    expect(result.status).toBe(201);
    expect(result.body.slots.length).toBeGreaterThanOrEqual(11);
    expect(result.body.slots.length).toBeLessThanOrEqual(13);
    expect(result.body.version).toBe(1);
    const seriesIds = new Set(result.body.slots.map((s: Json) => s.seriesId));
    expect(seriesIds.size).toBe(1);
    expect(await slotsOf(teacher.id)).toHaveLength(result.body.slots.length);
  });

  it('keeps the local start time across the spring daylight-saving change', async () => {
    const teacher = await givenTeacher({ timeZone: 'Europe/Berlin' });
    const change = nextEuropeanSpringChange();
    const result = await teacher.api.post('/api/teacher/slots/recurring', {
      days: [1, 2, 3, 4, 5, 6, 7],
      startTime: '09:00',
      lengthMinutes: 60,
      from: change.subtract({ days: 2 }).toString(),
      until: change.add({ days: 2 }).toString(),
    });
    expect(result.status).toBe(201);
    const locals = result.body.slots.map((s: Json) =>
      Temporal.Instant.fromEpochMilliseconds(s.startsAt).toZonedDateTimeISO('Europe/Berlin'),
    );
    expect(locals.map((z: Temporal.ZonedDateTime) => z.toPlainTime().toString())).toEqual(Array(5).fill('09:00:00'));
    expect(locals.map((z: Temporal.ZonedDateTime) => z.offset)).toEqual([
      '+01:00',
      '+01:00',
      '+02:00',
      '+02:00',
      '+02:00',
    ]);
  });

  it('creates none of a series when one occurrence overlaps an existing slot', async () => {
    const teacher = await givenTeacher();
    const blocking = await teacher.api.post('/api/teacher/slots', {
      start: `${daysAhead(8)}T16:30`,
      lengthMinutes: 30,
    });
    expect(blocking.status).toBe(201);
    const result = await teacher.api.post('/api/teacher/slots/recurring', {
      days: [1, 2, 3, 4, 5, 6, 7],
      startTime: '16:00',
      lengthMinutes: 60,
      from: daysAhead(1),
      until: daysAhead(14),
    });
    expect(result.status).toBe(409);
    expect(await slotsOf(teacher.id)).toHaveLength(1);
  });

  it('refuses a rule with bad days, times or ranges', async () => {
    const teacher = await givenTeacher();
    const base = { days: [1], startTime: '09:00', lengthMinutes: 60, from: daysAhead(1), until: daysAhead(10) };
    for (const change of [
      { days: [] },
      { days: [0] },
      { days: [8] },
      { startTime: '25:00' },
      { startTime: '9am' },
      { from: daysAhead(10), until: daysAhead(1) },
      { until: daysAhead(500) },
      { from: 'soon' },
    ]) {
      const result = await teacher.api.post('/api/teacher/slots/recurring', { ...base, ...change });
      expect(result.status, JSON.stringify(change)).toBe(400);
      expect(result.body.error.code).toBe('invalid_request');
    }
    expect(await slotsOf(teacher.id)).toHaveLength(0);
  });
});

describe('cancelling slots', () => {
  it('cancels an open slot, which then leaves the calendar', async () => {
    const teacher = await givenTeacher();
    const created = await teacher.api.post('/api/teacher/slots', { start: `${daysAhead(3)}T11:00` });
    const id = created.body.slots[0].id;
    const canceled = await teacher.api.post('/api/teacher/slots/cancel', { slotIds: [id] });
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ canceled: [id], version: 2 });
    expect((await teacher.api.get(`/api/teacher/calendar?${weekRange()}`)).body.slots).toEqual([]);
    // The freed time can be used again.
    expect((await teacher.api.post('/api/teacher/slots', { start: `${daysAhead(3)}T11:00` })).status).toBe(201);
  });

  it('refuses to cancel a booked slot', async () => {
    const teacher = await givenTeacher();
    const created = await teacher.api.post('/api/teacher/slots', { start: `${daysAhead(3)}T11:00` });
    const id = created.body.slots[0].id;
    await db().update(schema.slots).set({ status: 'booked' }).where(eq(schema.slots.id, id));
    const result = await teacher.api.post('/api/teacher/slots/cancel', { slotIds: [id] });
    expect(result.status).toBe(409);
    expect(result.body.error.code).toBe('slot_booked');
  });

  it("does not let one teacher touch another teacher's slots", async () => {
    const owner = await givenTeacher();
    const other = await givenTeacher();
    const created = await owner.api.post('/api/teacher/slots', { start: `${daysAhead(3)}T11:00` });
    const result = await other.api.post('/api/teacher/slots/cancel', { slotIds: [created.body.slots[0].id] });
    expect(result.status).toBe(404);
    expect(await slotsOf(owner.id)).toMatchObject([{ status: 'open' }]);
    expect((await other.api.get(`/api/teacher/calendar?${weekRange()}`)).body.slots).toEqual([]);
  });
});

describe('booking rules', () => {
  it('reads and updates the rules', async () => {
    const teacher = await givenTeacher();
    const before = await teacher.api.get('/api/teacher/settings');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      minNoticeMinutes: 720,
      cancellationWindowMinutes: 1440,
      defaultSlotMinutes: 60,
      bookingHorizonDays: 60,
      bufferMinutes: 0,
    });
    const updated = await teacher.api.patch('/api/teacher/settings', {
      minNoticeMinutes: 120,
      bufferMinutes: 10,
      timeZone: 'America/New_York',
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      minNoticeMinutes: 120,
      bufferMinutes: 10,
      timeZone: 'America/New_York',
      defaultSlotMinutes: 60,
    });
    expect((await teacher.api.get('/api/teacher/settings')).body.timeZone).toBe('America/New_York');
  });

  it('refuses invalid rules and changes nothing', async () => {
    const teacher = await givenTeacher();
    for (const body of [
      { minNoticeMinutes: -5 },
      { timeZone: 'Mars/Olympus' },
      { defaultSlotMinutes: 1 },
      { bookingHorizonDays: 0 },
      { unknownRule: true },
      { bufferMinutes: 'ten' },
    ]) {
      const result = await teacher.api.patch('/api/teacher/settings', body);
      expect(result.status, JSON.stringify(body)).toBe(400);
    }
    expect((await teacher.api.get('/api/teacher/settings')).body).toMatchObject({
      minNoticeMinutes: 720,
      timeZone: 'Europe/Berlin',
      bufferMinutes: 0,
    });
  });
});
