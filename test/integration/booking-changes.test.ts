/**
 * After the booking: the teacher cancels (with a message, keeping the time open or not), moves, lists and
 * records outcomes; the student reschedules from the portal and the dashboard; both sides are told, each in
 * their own time zone, with calendar files a calendar application understands.
 */
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import * as schema from '../../db/schema.ts';
import type { Json } from '../support/client.ts';
import { db } from '../support/database.ts';
import { icsOf } from '../support/ics.ts';
import { expectEmailTo, linkContaining, waitForEmail } from '../support/mailbox.ts';
import { expectEmailCountTo } from '../support/outbox.ts';
import { givenSlots, givenStudent, givenTeacher, signedInAs, type GivenTeacher } from '../support/scenario.ts';

const HOUR = 3_600_000;
const STUDENT_ZONE = 'America/New_York';

async function bookingRow(id: string) {
  const [row] = await db().select().from(schema.bookings).where(eq(schema.bookings.id, id));
  return row!;
}
async function slotRow(id: string) {
  const [row] = await db().select().from(schema.slots).where(eq(schema.slots.id, id));
  return row!;
}

/** A student who booked the first of `slotIds` through their link from New York. */
async function givenBooking(teacher: GivenTeacher, slotId: string, options: { maxUses?: number | null } = {}) {
  const student = await givenStudent(teacher, { name: 'Ada Lovelace', maxUses: options.maxUses });
  const booked = await student.portal.api.post(`/api/booking/${student.token}/book`, {
    slotId,
    timeZone: STUDENT_ZONE,
  });
  expect(booked.status).toBe(201);
  await waitForEmail(student.email, { subjectIncludes: 'Booked' });
  return { student, bookingId: booked.body.booking.id as string };
}

describe('the teacher cancels a booked session', () => {
  it('tells the student with the message and a way to book again, removes the event, and reopens the time', async () => {
    const teacher = await givenTeacher({ displayName: 'Ms Hopper', timeZone: 'Europe/London' });
    const [slot] = await givenSlots(teacher, 1);
    const { student, bookingId } = await givenBooking(teacher, slot!);
    const confirmation = await waitForEmail(student.email, { subjectIncludes: 'Booked' });

    const canceled = await teacher.api.post(`/api/teacher/bookings/${bookingId}/cancel`, {
      message: 'I am ill this week, sorry!',
      reopen: true,
    });
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ canceled: bookingId, slotReopened: true });

    const email = await expectEmailTo(student.email, {
      subjectIncludes: 'Canceled',
      textIncludes: ['Ms Hopper canceled your session.', 'I am ill this week, sorry!', '(New York, Eastern Time, '],
    });
    expect(linkContaining(email, `/book/${teacher.id}/`)).toContain(student.token);
    const cancelFile = icsOf(email);
    const original = icsOf(confirmation);
    expect(cancelFile.method).toBe('CANCEL');
    expect(cancelFile.status).toBe('CANCELLED');
    expect(cancelFile.uid).toBe(original.uid);
    expect(cancelFile.sequence).toBeGreaterThan(original.sequence);
    await expectEmailTo(teacher.email, {
      subjectIncludes: 'Canceled: Ada Lovelace',
      textIncludes: ["You canceled Ada Lovelace's session.", '(London, '],
    });

    expect(await bookingRow(bookingId)).toMatchObject({
      status: 'canceled',
      canceledBy: 'teacher',
      cancelMessage: 'I am ill this week, sorry!',
    });
    expect((await slotRow(slot!)).status).toBe('open');
    // Another student can take the time at once.
    const other = await givenStudent(teacher, { name: 'Grace' });
    expect((await other.portal.book(slot!)).status).toBe(201);
  });

  it('removes the time from the calendar when the teacher chooses not to reopen it', async () => {
    const teacher = await givenTeacher();
    const [slot] = await givenSlots(teacher, 1);
    const { bookingId } = await givenBooking(teacher, slot!);
    const canceled = await teacher.api.post(`/api/teacher/bookings/${bookingId}/cancel`, { reopen: false });
    expect(canceled.body.slotReopened).toBe(false);
    expect((await slotRow(slot!)).status).toBe('canceled');
    const calendar = await teacher.api.get(`/api/teacher/calendar?from=${Date.now()}&to=${Date.now() + 7 * 24 * HOUR}`);
    expect(calendar.body.slots.map((s: Json) => s.id)).not.toContain(slot);
  });

  it('sends one cancellation, however many times it is asked, and refuses what is not the teacher’s', async () => {
    const teacher = await givenTeacher();
    const [slot] = await givenSlots(teacher, 1);
    const { student, bookingId } = await givenBooking(teacher, slot!);
    const results = await Promise.all([
      teacher.api.post(`/api/teacher/bookings/${bookingId}/cancel`, { reopen: true }),
      student.portal.cancel(bookingId),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    await expectEmailCountTo(student.email, 1, { template: 'booking-canceled', subjectIncludes: 'Canceled' });

    const stranger = await givenTeacher();
    const [otherSlot] = await givenSlots(teacher, 1, 60);
    const { bookingId: another } = await givenBooking(teacher, otherSlot!);
    expect((await stranger.api.post(`/api/teacher/bookings/${another}/cancel`, { reopen: true })).status).toBe(404);
    expect((await stranger.api.post(`/api/teacher/bookings/${another}/move`, { slotId: slot })).status).toBe(404);
    expect((await stranger.api.post(`/api/teacher/bookings/${another}/outcome`, { outcome: 'completed' })).status).toBe(
      404,
    );
    expect((await teacher.api.post(`/api/teacher/bookings/${another}/cancel`, { message: 'x' })).status).toBe(400);
    expect((await bookingRow(another)).status).toBe('scheduled');
  });
});

describe('moving a session to another time', () => {
  it('lets the teacher move it: one batch, the old booking points at the new, the calendar event moves', async () => {
    const teacher = await givenTeacher({ displayName: 'Ms Hopper', timeZone: 'Europe/London' });
    const [from, to] = await givenSlots(teacher, 2);
    const { student, bookingId } = await givenBooking(teacher, from!);
    const confirmation = await waitForEmail(student.email, { subjectIncludes: 'Booked' });

    const moved = await teacher.api.post(`/api/teacher/bookings/${bookingId}/move`, { slotId: to });
    expect(moved.status).toBe(200);
    const newId = moved.body.booking.id;
    expect(await bookingRow(bookingId)).toMatchObject({ status: 'rescheduled', rescheduledToBookingId: newId });
    expect(await bookingRow(newId)).toMatchObject({
      status: 'scheduled',
      slotId: to,
      rescheduledFromBookingId: bookingId,
    });
    expect((await slotRow(from!)).status).toBe('open');
    expect((await slotRow(to!)).status).toBe('booked');

    const email = await expectEmailTo(student.email, {
      subjectIncludes: 'New time',
      textIncludes: ['Ms Hopper moved your session to a new time.', '(New York, Eastern Time, '],
    });
    const before = icsOf(confirmation);
    const after = icsOf(email);
    expect(after.uid).toBe(before.uid);
    expect(after.sequence).toBeGreaterThan(before.sequence);
    expect(after.startsAt).toBe((await slotRow(to!)).startsAt);
    expect(after.method).toBe('PUBLISH');
    expect(email.html).toContain('https://calendar.google.com/calendar/render?');
    expect(email.html).toContain('https://outlook.live.com/calendar/0/deeplink/compose?');
    await expectEmailTo(teacher.email, {
      subjectIncludes: 'New time: Ada Lovelace',
      textIncludes: ['(London, '],
    });

    // Cancelling the moved session removes the same event, with a higher SEQUENCE again.
    await teacher.api.post(`/api/teacher/bookings/${newId}/cancel`, { reopen: true });
    const canceled = icsOf(await waitForEmail(student.email, { subjectIncludes: 'Canceled' }));
    expect(canceled).toMatchObject({ uid: before.uid, method: 'CANCEL' });
    expect(canceled.sequence).toBeGreaterThan(after.sequence);
  });

  it('lets the student reschedule from the portal within the reschedule window, separate from cancelling', async () => {
    const teacher = await givenTeacher({ displayName: 'Mr Babbage' });
    const settings = await teacher.api.patch('/api/teacher/settings', {
      cancellationWindowMinutes: 47 * 60,
      rescheduleWindowMinutes: 60,
    });
    expect(settings.body).toMatchObject({ cancellationWindowMinutes: 47 * 60, rescheduleWindowMinutes: 60 });
    const [from, to, third] = await givenSlots(teacher, 3);
    const { student, bookingId } = await givenBooking(teacher, from!);
    const start = (await slotRow(from!)).startsAt;
    const later = student.portal.api.at(start - 30 * HOUR);

    const mine = (await later.get(`/api/booking/${student.token}/my-bookings`)).body;
    expect(mine.bookings[0]).toMatchObject({ canCancel: false, canReschedule: true, rescheduleUntil: start - HOUR });
    expect(mine.contact.email).toBe(teacher.email);
    const tooLateToCancel = await later.post(`/api/booking/${student.token}/cancel/${bookingId}`);
    expect(tooLateToCancel.status).toBe(409);
    expect(tooLateToCancel.body.error.code).toBe('cancellation_window_passed');

    const moved = await later.post(`/api/booking/${student.token}/reschedule/${bookingId}`, { slotId: to });
    expect(moved.status).toBe(200);
    await expectEmailTo(teacher.email, {
      subjectIncludes: 'New time: Ada Lovelace',
      textIncludes: 'Ada Lovelace moved their session to a new time.',
    });

    const newId = moved.body.booking.id;
    const tooLate = await student.portal.api
      .at((await slotRow(to!)).startsAt - 30 * 60_000)
      .post(`/api/booking/${student.token}/reschedule/${newId}`, { slotId: from });
    expect(tooLate.status).toBe(409);
    expect(tooLate.body.error).toMatchObject({ code: 'reschedule_window_passed' });
    expect(tooLate.body.error.message).toContain('contact Mr Babbage');
    // The teacher can still move it.
    expect(
      (
        await teacher.api
          .at((await slotRow(to!)).startsAt - 30 * 60_000)
          .post(`/api/teacher/bookings/${newId}/move`, { slotId: third })
      ).status,
    ).toBe(200);
  });

  it('lets a used-up link still reschedule and cancel the booking it made', async () => {
    const teacher = await givenTeacher();
    const [a, b, c] = await givenSlots(teacher, 3);
    const { student, bookingId } = await givenBooking(teacher, a!, { maxUses: 1 });
    expect((await student.portal.book(c!)).status).toBe(410);
    const calendar = await student.portal.calendar();
    expect(calendar.status).toBe(200);
    expect(calendar.body.link).toMatchObject({ remainingBookings: 0, state: 'used_up' });
    const moved = await student.portal.api.post(`/api/booking/${student.token}/reschedule/${bookingId}`, { slotId: b });
    expect(moved.status).toBe(200);
    expect((await student.portal.cancel(moved.body.booking.id)).status).toBe(200);
  });

  it('lets the student reschedule from the dashboard, to the teacher’s open times only', async () => {
    const teacher = await givenTeacher();
    const [from, to, taken] = await givenSlots(teacher, 3);
    const { student, bookingId } = await givenBooking(teacher, from!);
    await (await givenStudent(teacher)).portal.book(taken!);
    const [user] = await db().select().from(schema.users).where(eq(schema.users.email, student.email));
    const dashboard = await signedInAs(user!.id);

    const open = await dashboard.get(`/api/student/sessions/${bookingId}/open-slots`);
    expect(open.body.slots.map((s: Json) => s.id)).toEqual([to]);
    const list = (await dashboard.get('/api/student/sessions')).body.sessions;
    expect(list[0]).toMatchObject({ id: bookingId, canReschedule: true });

    expect((await dashboard.post(`/api/student/sessions/${bookingId}/reschedule`, { slotId: taken })).status).toBe(409);
    expect((await dashboard.post(`/api/student/sessions/${bookingId}/reschedule`, { slotId: 'nope' })).status).toBe(
      400,
    );
    const moved = await dashboard.post(`/api/student/sessions/${bookingId}/reschedule`, { slotId: to });
    expect(moved.status).toBe(200);
    const after = (await dashboard.get('/api/student/sessions')).body.sessions;
    expect(after.map((s: Json) => s.id)).toEqual([moved.body.booking.id]);
    // Another student's session is not found.
    const other = await signedInAs((await givenStudentUser(teacher)).id);
    expect(
      (await other.post(`/api/student/sessions/${moved.body.booking.id}/reschedule`, { slotId: from })).status,
    ).toBe(404);
  });

  it('lets exactly one of two students racing into the same free slot win; the other keeps their session', async () => {
    const teacher = await givenTeacher();
    const [first, second, free] = await givenSlots(teacher, 3);
    const one = await givenBooking(teacher, first!);
    const two = await givenBooking(teacher, second!);
    const results = await Promise.all([
      one.student.portal.api.post(`/api/booking/${one.student.token}/reschedule/${one.bookingId}`, { slotId: free }),
      two.student.portal.api.post(`/api/booking/${two.student.token}/reschedule/${two.bookingId}`, { slotId: free }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const loser = results[0]!.status === 409 ? one : two;
    const loserSlot = loser === one ? first : second;
    expect(results.find((r) => r.status === 409)!.body.error.code).toBe('slot_taken');
    expect(await bookingRow(loser.bookingId)).toMatchObject({
      status: 'scheduled',
      slotId: loserSlot,
      rescheduledToBookingId: null,
    });
    expect((await slotRow(loserSlot!)).status).toBe('booked');
    const onFree = await db()
      .select()
      .from(schema.bookings)
      .where(and(eq(schema.bookings.slotId, free!), eq(schema.bookings.status, 'scheduled')));
    expect(onFree).toHaveLength(1);
    await expectEmailCountTo(loser.student.email, 1, { subjectIncludes: 'Booked' });
  });
});

describe('the bookings list and outcomes', () => {
  it('lists upcoming, past and awaiting-outcome sessions with cursor paging', async () => {
    const teacher = await givenTeacher();
    const slots = await givenSlots(teacher, 5, 24);
    const { student, bookingId } = await givenBooking(teacher, slots[0]!);
    for (const slot of slots.slice(1)) expect((await student.portal.book(slot)).status).toBe(201);

    const first = await teacher.api.get('/api/teacher/bookings?filter=upcoming&limit=3');
    expect(first.body.bookings).toHaveLength(3);
    expect(first.body.bookings[0]).toMatchObject({
      id: bookingId,
      student: { name: 'Ada Lovelace' },
      status: 'scheduled',
      canCancel: true,
      canMove: true,
      canRecordOutcome: false,
    });
    const second = await teacher.api.get(
      `/api/teacher/bookings?filter=upcoming&limit=3&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.bookings).toHaveLength(2);
    expect(second.body.nextCursor).toBeNull();
    const all = [...first.body.bookings, ...second.body.bookings].map((b: Json) => b.startsAt);
    expect(all).toEqual([...all].sort((a, b) => a - b));
    expect((await teacher.api.get('/api/teacher/bookings?filter=soon')).status).toBe(400);
    expect((await teacher.api.get('/api/teacher/bookings?cursor=abc')).status).toBe(400);

    const end = (await slotRow(slots[0]!)).endsAt;
    const afterwards = teacher.api.at(end + HOUR);
    const needs = (await afterwards.get('/api/teacher/bookings?filter=needs_outcome')).body.bookings;
    expect(needs.map((b: Json) => b.id)).toEqual([bookingId]);
    expect(needs[0]).toMatchObject({ status: 'awaiting_outcome', canRecordOutcome: true });
    // The student sees it as past, not completed.
    const [user] = await db().select().from(schema.users).where(eq(schema.users.email, student.email));
    const previous = (await (await signedInAs(user!.id)).at(end + HOUR).get('/api/student/sessions?filter=previous'))
      .body.sessions;
    expect(previous.find((s: Json) => s.id === bookingId).status).toBe('past');
  });

  it('records the outcome after the session, lets it change, and audits both', async () => {
    const teacher = await givenTeacher();
    const [slot] = await givenSlots(teacher, 1, 24);
    const { bookingId } = await givenBooking(teacher, slot!);
    const end = (await slotRow(slot!)).endsAt;
    const early = await teacher.api.post(`/api/teacher/bookings/${bookingId}/outcome`, { outcome: 'completed' });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('session_not_over');
    const afterwards = teacher.api.at(end + HOUR);
    expect((await afterwards.post(`/api/teacher/bookings/${bookingId}/outcome`, { outcome: 'maybe' })).status).toBe(
      400,
    );
    expect((await afterwards.post(`/api/teacher/bookings/${bookingId}/outcome`, { outcome: 'no_show' })).status).toBe(
      200,
    );
    const changed = await teacher.api
      .at(end + 2 * HOUR)
      .post(`/api/teacher/bookings/${bookingId}/outcome`, { outcome: 'completed' });
    expect(changed.body.booking).toMatchObject({ outcome: 'completed', previous: 'no_show' });
    expect(await bookingRow(bookingId)).toMatchObject({
      status: 'completed',
      outcome: 'completed',
      outcomeRecordedAt: end + 2 * HOUR,
      outcomeRecordedBy: teacher.id,
    });
    const audit = await db()
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.targetId, bookingId)));
    expect(audit.filter((a) => a.action.startsWith('booking.outcome')).map((a) => a.details)).toEqual(
      expect.arrayContaining([
        { from: null, to: 'no_show' },
        { from: 'no_show', to: 'completed' },
      ]),
    );
    const past = (await teacher.api.at(end + 3 * HOUR).get('/api/teacher/bookings?filter=past')).body.bookings;
    expect(past.find((b: Json) => b.id === bookingId).status).toBe('completed');
  });

  it('completes unmarked sessions the chosen number of days after they end, and only then', async () => {
    const teacher = await givenTeacher();
    const [slot] = await givenSlots(teacher, 1, 24);
    const { bookingId } = await givenBooking(teacher, slot!);
    const end = (await slotRow(slot!)).endsAt;
    expect((await teacher.api.patch('/api/teacher/settings', { autoCompleteAfterDays: 0 })).status).toBe(400);
    expect((await teacher.api.patch('/api/teacher/settings', { autoCompleteAfterDays: 2 })).body).toMatchObject({
      autoCompleteAfterDays: 2,
    });
    const status = async (at: number) =>
      (await teacher.api.at(at).get('/api/teacher/bookings?filter=past')).body.bookings.find(
        (b: Json) => b.id === bookingId,
      ).status;
    expect(await status(end + 48 * HOUR - 60_000)).toBe('awaiting_outcome');
    expect(await status(end + 48 * HOUR)).toBe('completed');
    expect(
      (await teacher.api.at(end + 48 * HOUR).get('/api/teacher/bookings?filter=needs_outcome')).body.bookings,
    ).toEqual([]);
    await teacher.api.patch('/api/teacher/settings', { autoCompleteAfterDays: null });
    expect(await status(end + 48 * HOUR)).toBe('awaiting_outcome');
  });
});

/** A second student with an account (booked once with the teacher), for access checks. */
async function givenStudentUser(teacher: GivenTeacher) {
  const [slot] = await givenSlots(teacher, 1, 90);
  const other = await givenStudent(teacher, { name: 'Other' });
  await other.portal.book(slot!);
  const [user] = await db().select().from(schema.users).where(eq(schema.users.email, other.email));
  return user!;
}
