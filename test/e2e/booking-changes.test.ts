/**
 * A student on a phone follows the reschedule link from their confirmation email and picks a new time while
 * the teacher's week, open on a desktop, shows the session move live; then the teacher cancels a session from
 * the bookings list and the student's dashboard shows it canceled, with the teacher's message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Temporal } from 'temporal-polyfill';
import { eq } from 'drizzle-orm';
import * as schema from '../../db/schema.ts';
import { db } from '../support/database.ts';
import { linkContaining, waitForEmail } from '../support/mailbox.ts';
import { givenStudent, givenTeacher, type GivenTeacher } from '../support/scenario.ts';
import { appUrl } from '../support/stack.ts';
import { weekParam } from '../support/time.ts';
import { DESKTOP, launchBrowser, PHONE, screenshot, a11yViolations } from '../support/browser.ts';
import { createSessionFor } from '../support/teacher-session.ts';

let browser: Browser;
let teacherPage: Page;
let studentPage: Page;
let teacher: GivenTeacher;
let student: Awaited<ReturnType<typeof givenStudent>>;
const slotIds: string[] = [];
let firstStart = 0;

/** Wednesday of next week at `hour`:00 UTC: always ahead, and in the same week in Berlin and New York. */
function nextWednesdayAt(hour: number): Temporal.Instant {
  const today = Temporal.Now.plainDateISO('UTC');
  const wednesday = today.add({ days: 7 - today.dayOfWeek + 3 });
  return wednesday.toZonedDateTime({ timeZone: 'UTC', plainTime: Temporal.PlainTime.from({ hour }) }).toInstant();
}

/** A `name=value` cookie header as a browser cookie for the app. */
const cookieOf = (header: string) => {
  const eq = header.indexOf('=');
  return { name: header.slice(0, eq), value: header.slice(eq + 1), url: appUrl() };
};

beforeAll(async () => {
  browser = await launchBrowser();
  teacher = await givenTeacher({ displayName: 'Ms Hopper', timeZone: 'Europe/Berlin', minNoticeMinutes: 60 });
  for (const [hour, subject] of [
    [13, 'Algebra'],
    [16, 'Geometry'],
  ] as const) {
    const created = await teacher.api.post('/api/teacher/slots', {
      start: nextWednesdayAt(hour).toString(),
      lengthMinutes: 60,
      subject,
    });
    slotIds.push(created.body.slots[0].id);
  }
  firstStart = nextWednesdayAt(13).epochMilliseconds;
  const teacherContext = await browser.newContext({ viewport: DESKTOP, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
  await teacherContext.addCookies([cookieOf(teacher.cookie)]);
  teacherPage = await teacherContext.newPage();
  const studentContext = await browser.newContext({
    viewport: PHONE,
    timezoneId: 'America/New_York',
    locale: 'en-GB',
    isMobile: true,
    hasTouch: true,
  });
  studentPage = await studentContext.newPage();
});
afterAll(async () => {
  await browser?.close();
});

describe('a student reschedules from the email while the teacher watches', () => {
  it('moves the session from the confirmation email’s link, and the teacher’s week follows live', async () => {
    student = await givenStudent(teacher, { name: 'Ada Lovelace' });
    const booked = await student.portal.api.post(`/api/booking/${student.token}/book`, {
      slotId: slotIds[0],
      timeZone: 'America/New_York',
    });
    expect(booked.status).toBe(201);

    await teacherPage.goto(`${appUrl()}/teacher?week=${weekParam(firstStart, 'Europe/Berlin')}`);
    await teacherPage.getByText('Live', { exact: true }).waitFor();
    await teacherPage.getByRole('button', { name: /Algebra\s*,\s*Booked by Ada Lovelace/ }).waitFor();

    const confirmation = await waitForEmail(student.email, { subjectIncludes: 'Booked' });
    const link = linkContaining(confirmation, '?reschedule=');
    await studentPage.goto(link);
    await studentPage.getByText('Moving your session on').waitFor();
    await studentPage.getByRole('button', { name: /Geometry\s*,\s*Available/ }).click();
    const dialog = studentPage.getByRole('dialog', { name: 'Move to this time?' });
    await dialog.waitFor();
    expect(await a11yViolations(studentPage)).toEqual([]);
    await screenshot(studentPage, 'reschedule-phone');
    await dialog.getByRole('button', { name: 'Confirm new time' }).click();
    await studentPage.getByRole('dialog', { name: 'Session moved' }).waitFor();

    // The teacher did nothing: the change arrives over the live socket.
    await teacherPage.getByRole('button', { name: /Geometry\s*,\s*Booked by Ada Lovelace/ }).waitFor();
    await teacherPage.getByRole('button', { name: /Algebra\s*,\s*Open/ }).waitFor();
    await screenshot(teacherPage, 'reschedule-teacher-week-desktop');
    const moved = await waitForEmail(student.email, { subjectIncludes: 'New time' });
    expect(moved.text).toMatch(/\(New York, Eastern (Standard |Daylight )?Time, GMT-[45]\)/);
    expect(moved.text).not.toContain('America/New_York');
  });
});

describe('the teacher cancels from the bookings list', () => {
  it('cancels with a message, and the student’s dashboard shows it canceled with that message', async () => {
    await teacherPage.goto(`${appUrl()}/teacher/bookings`);
    await teacherPage.getByRole('heading', { name: 'Bookings' }).waitFor();
    await teacherPage.getByText('Ada Lovelace', { exact: true }).waitFor();
    expect(await a11yViolations(teacherPage)).toEqual([]);
    await screenshot(teacherPage, 'teacher-bookings-desktop');
    // The move dialog with the teacher's free times, then closed without moving.
    await teacherPage.getByRole('button', { name: "Move Ada Lovelace's session" }).click();
    const moveDialog = teacherPage.getByRole('dialog', { name: /Move/ });
    await moveDialog.getByRole('button', { name: 'Move session' }).waitFor();
    await teacherPage.waitForLoadState('networkidle');
    expect(await a11yViolations(teacherPage)).toEqual([]);
    await moveDialog.getByRole('button', { name: 'Close' }).click();
    await moveDialog.waitFor({ state: 'detached' });
    await teacherPage.getByRole('button', { name: "Cancel Ada Lovelace's session" }).click();
    const dialog = teacherPage.getByRole('dialog', { name: "Cancel Ada Lovelace's session" });
    await dialog.getByLabel('Message to Ada Lovelace (optional)').fill('I have a conference that day, sorry!');
    await dialog.getByLabel('is removed from my calendar').check();
    expect(await a11yViolations(teacherPage)).toEqual([]);
    await screenshot(teacherPage, 'teacher-cancel-dialog-desktop');
    await dialog.getByRole('button', { name: 'Cancel session' }).click();
    await teacherPage.getByText('Canceled. The time was removed.').waitFor();

    await teacherPage.setViewportSize(PHONE);
    await teacherPage.getByRole('button', { name: 'Past' }).click();
    await teacherPage.getByRole('button', { name: 'Upcoming' }).click();
    await teacherPage.getByText('Canceled by you: “I have a conference that day, sorry!”').waitFor();
    expect(await a11yViolations(teacherPage)).toEqual([]);
    await screenshot(teacherPage, 'teacher-bookings-phone');

    const [user] = await db().select().from(schema.users).where(eq(schema.users.email, student.email));
    await studentPage.context().addCookies([cookieOf(await createSessionFor(db(), user!.id))]);
    await studentPage.goto(`${appUrl()}/student`);
    const sessions = studentPage.getByRole('region', { name: 'Sessions' });
    await sessions.getByRole('button', { name: 'Previous' }).click();
    await sessions.getByText('Ms Hopper canceled this session: “I have a conference that day, sorry!”').waitFor();
    await sessions.getByText('Canceled', { exact: true }).waitFor();
    await screenshot(studentPage, 'student-dashboard-canceled-phone');
  });
});
