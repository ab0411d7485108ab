/**
 * Session reminders, run by the cron job at chosen instants (Miniflare's scheduled handler with `time`, and the
 * test clock for bookings made "later"). Each test books a session a different number of weeks ahead, so one
 * test's cron runs never fall on another's sessions (a run reminds every booking due at its instant).
 */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as schema from '../../db/schema.ts';
import { testClient } from '../support/client.ts';
import { runCron } from '../support/cron.ts';
import { db } from '../support/database.ts';
import { emailsTo, linkContaining } from '../support/mailbox.ts';
import { expectEmailCountTo, outboxRowsTo } from '../support/outbox.ts';
import { givenStudent, givenTeacher } from '../support/scenario.ts';
import { uniqueIp } from '../support/stack.ts';
import { hoursFromNow } from '../support/time.ts';
import { until } from '../support/until.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A teacher (default reminders: 24 hours and 1 hour before), a student with a link, and one open slot. */
async function givenBookableSlot(hoursAhead: number, teacherOptions: Parameters<typeof givenTeacher>[0] = {}) {
  const teacher = await givenTeacher({ minNoticeMinutes: 0, ...teacherOptions });
  const student = await givenStudent(teacher, { name: 'Rosa Student' });
  const slot = await teacher.api.post('/api/teacher/slots', {
    start: hoursFromNow(hoursAhead),
    lengthMinutes: 60,
    subject: 'Piano',
  });
  expect(slot.status).toBe(201);
  const { id, startsAt } = slot.body.slots[0] as { id: string; startsAt: number };
  return { teacher, student, slotId: id, startsAt };
}

/** The student books, from their browser in New York, at `at` (the test clock) or now. */
async function book(token: string, slotId: string, at?: number) {
  const tab = testClient({ ip: uniqueIp() });
  const booked = await (at === undefined ? tab : tab.at(at)).post(`/api/booking/${token}/book`, {
    slotId,
    timeZone: 'America/New_York',
  });
  expect(booked.status, booked.text).toBe(201);
  return booked.body.booking.id as string;
}

const remindersTo = (address: string) => outboxRowsTo(address, 'session-reminder');

async function remindersSentFor(bookingId: string) {
  return db()
    .select()
    .from(schema.remindersSent)
    .where(and(eq(schema.remindersSent.bookingId, bookingId), eq(schema.remindersSent.recipient, 'student')));
}

describe('session reminders', () => {
  it('reminds the student at exactly each offset, once, even when two cron runs overlap', async () => {
    const { student, slotId, startsAt } = await givenBookableSlot(15 * 24);
    const bookingId = await book(student.token, slotId);

    await runCron({ at: startsAt - 24 * HOUR - 1 });
    expect(await remindersTo(student.email)).toHaveLength(0);

    // Two runs at the very moment, at once: the database lets one reminder through.
    await Promise.all([runCron({ at: startsAt - 24 * HOUR }), runCron({ at: startsAt - 24 * HOUR })]);
    await runCron({ at: startsAt - 24 * HOUR + MINUTE });
    expect(await remindersTo(student.email)).toHaveLength(1);
    await expectEmailCountTo(student.email, 1, { template: 'session-reminder', subjectIncludes: 'Reminder' });

    await runCron({ at: startsAt - HOUR - 1 });
    expect(await remindersTo(student.email)).toHaveLength(1);
    await Promise.all([runCron({ at: startsAt - HOUR }), runCron({ at: startsAt - HOUR })]);
    await expectEmailCountTo(student.email, 2, { template: 'session-reminder', subjectIncludes: 'Reminder' });
    expect((await remindersSentFor(bookingId)).map((r) => r.offsetMinutes).sort((a, b) => a - b)).toEqual([60, 1440]);

    const [lastReminder] = await emailsTo(student.email);
    // The time in the student's zone (they booked from New York), and the ways to move or cancel it.
    const newYorkStart = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'America/New_York',
      hour: '2-digit',
      minute: '2-digit',
    }).format(startsAt);
    expect(lastReminder!.subject).toContain('Piano with Test Teacher');
    expect(lastReminder!.text).toContain(newYorkStart);
    expect(lastReminder!.text).toMatch(/\(New York, Eastern (Standard |Daylight )?Time, GMT-[45]\)/);
    expect(lastReminder!.text).toContain('in 1 hour');
    expect(linkContaining(lastReminder!, '/student')).toMatch(/\/student$/);
    expect(linkContaining(lastReminder!, `/book/`)).toContain(student.token);
  }, 60_000);

  it('sends nothing for a session cancelled before its reminders', async () => {
    const { student, slotId, startsAt } = await givenBookableSlot(19 * 24);
    const bookingId = await book(student.token, slotId);
    const canceled = await student.portal.cancel(bookingId);
    expect(canceled.status, canceled.text).toBe(200);

    await runCron({ at: startsAt - 24 * HOUR });
    await runCron({ at: startsAt - HOUR });
    expect(await remindersTo(student.email)).toHaveLength(0);
    expect(await remindersSentFor(bookingId)).toHaveLength(0);
  });

  it('does not send a reminder late for a booking made after its moment', async () => {
    const { student, slotId, startsAt } = await givenBookableSlot(23 * 24);
    // Booked 30 minutes after the 24-hour reminder's moment: that one is never sent, the 1-hour one is.
    await book(student.token, slotId, startsAt - 24 * HOUR + 30 * MINUTE);
    await runCron({ at: startsAt - 24 * HOUR + 31 * MINUTE });
    await runCron({ at: startsAt - 23 * HOUR });
    expect(await remindersTo(student.email)).toHaveLength(0);

    await runCron({ at: startsAt - HOUR });
    const [reminder] = await until(
      () => remindersTo(student.email),
      (rows) => rows.length === 1,
    );
    expect(reminder).toBeDefined();
    await expectEmailCountTo(student.email, 1, { template: 'session-reminder', subjectIncludes: 'Reminder' });
    expect((await emailsTo(student.email))[0]!.text).toContain('in 1 hour');
  });

  it('reminds a rescheduled session at its new time, not the old one', async () => {
    const { teacher, student, slotId, startsAt } = await givenBookableSlot(27 * 24);
    const later = await teacher.api.post('/api/teacher/slots', {
      start: new Date(startsAt + 5 * HOUR).toISOString().slice(0, 19) + 'Z',
      lengthMinutes: 60,
      subject: 'Piano',
    });
    expect(later.status).toBe(201);
    const newStart = later.body.slots[0].startsAt as number;

    // The student moves the session: cancel, then book the later time.
    const first = await book(student.token, slotId);
    expect((await student.portal.cancel(first)).status).toBe(200);
    const moved = await book(student.token, later.body.slots[0].id);

    await runCron({ at: startsAt - 24 * HOUR });
    await runCron({ at: startsAt - HOUR });
    expect(await remindersTo(student.email)).toHaveLength(0);

    await runCron({ at: newStart - 24 * HOUR });
    await runCron({ at: newStart - HOUR });
    await expectEmailCountTo(student.email, 2, { template: 'session-reminder', subjectIncludes: 'Reminder' });
    expect((await remindersSentFor(moved)).map((r) => r.startsAt)).toEqual([newStart, newStart]);
  }, 60_000);

  it('follows the teacher’s offsets, and reminds the teacher too when they ask', async () => {
    const { teacher, student, slotId, startsAt } = await givenBookableSlot(31 * 24);
    const saved = await teacher.api.patch('/api/teacher/settings', {
      reminderOffsetsMinutes: [120],
      remindTeacher: true,
    });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body).toMatchObject({ reminderOffsetsMinutes: [120], remindTeacher: true });
    await book(student.token, slotId);

    await runCron({ at: startsAt - 24 * HOUR });
    expect(await remindersTo(student.email)).toHaveLength(0);
    await runCron({ at: startsAt - 2 * HOUR });
    await expectEmailCountTo(student.email, 1, { template: 'session-reminder', subjectIncludes: 'Reminder' });
    await expectEmailCountTo(teacher.email, 1, { template: 'session-reminder', subjectIncludes: 'Reminder' });
    const [toTeacher] = await emailsTo(teacher.email);
    expect(toTeacher!.text).toContain('Your session with Rosa Student (Piano) starts in 2 hours');
  });

  it('refuses reminder settings a person can’t mean, and changes nothing', async () => {
    const teacher = await givenTeacher();
    for (const reminderOffsetsMinutes of [[60, 60], [5], [60, 120, 180, 240], [60 * 24 * 8]]) {
      const refused = await teacher.api.patch('/api/teacher/settings', { reminderOffsetsMinutes });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toBeTruthy();
    }
    expect((await teacher.api.get('/api/teacher/settings')).body).toMatchObject({
      reminderOffsetsMinutes: [1440, 60],
      remindTeacher: false,
    });
  });
});
