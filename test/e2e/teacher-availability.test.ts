import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { randomUUID } from 'node:crypto';
import { Temporal } from 'temporal-polyfill';
import { eq } from 'drizzle-orm';
import * as schema from '../../db/schema.ts';
import { db } from '../support/database.ts';
import { givenStudent, givenTeacher, signedInAs } from '../support/scenario.ts';
import { appUrl } from '../support/stack.ts';
import { dayLabel, nextSpringOfDifferentSummerTimes } from '../support/time.ts';
import { DESKTOP, launchBrowser, pageErrors, PHONE, screenshot, a11yViolations } from '../support/browser.ts';

let browser: Browser;
let page: Page;
let errors: string[];
let teacher: Awaited<ReturnType<typeof givenTeacher>>;

// The next March whose weeks are still ahead: in `gapWeek` New York has moved to summer time and Berlin not
// yet; from `bothWeek` both have. (In 2027: 15 March and 29 March.)
const { newYorkSwitch, berlinSwitch, gapWeek, bothWeek } = nextSpringOfDifferentSummerTimes();
/** The label of the gap week's day (0 = Monday), e.g. "Tue 16 Mar". */
const gapDay = (fromMonday: number) => dayLabel(gapWeek.add({ days: fromMonday }));
const bothDay = (fromMonday: number) => dayLabel(bothWeek.add({ days: fromMonday }));

/**
 * Gives an enrolled student an account, then saves their weekly availability and shares it with their teacher
 * through the student API (an account made outside a portal booking shares nothing until the student ticks).
 */
async function givenAvailability(
  student: { id: string; name: string; email: string },
  timeZone: string,
  weeklyRanges: { day: number; start: string; end: string }[],
) {
  const now = Date.now();
  const userId = randomUUID();
  await db().insert(schema.users).values({
    id: userId,
    email: student.email,
    name: student.name,
    role: 'student',
    emailVerifiedAt: now,
    createdAt: now,
    updatedAt: now,
  });
  const [enrolment] = await db()
    .update(schema.students)
    .set({ userId })
    .where(eq(schema.students.id, student.id))
    .returning();
  const api = await signedInAs(userId);
  const saved = await api.post('/api/student/availability', { timeZone, weeklyRanges });
  if (saved.status !== 200) throw new Error(`saving availability failed: ${JSON.stringify(saved.body)}`);
  const shared = await api.post(`/api/student/sharing/${enrolment!.teacherId}`, { share: true });
  if (shared.status !== 200) throw new Error(`sharing availability failed: ${JSON.stringify(shared.body)}`);
}

/** What a screen reader says for each item: the text without aria-hidden parts, spaces collapsed. */
const spoken = (items: Locator) =>
  items.evaluateAll((elements) =>
    elements.map((element) => {
      const copy = element.cloneNode(true) as Element;
      for (const hidden of copy.querySelectorAll('[aria-hidden="true"]')) hidden.remove();
      return copy.textContent!.replace(/\s+/g, ' ').trim();
    }),
  );
const freeOn = (day: string) =>
  spoken(page.getByRole('list', { name: new RegExp(`^Students free ${day}`) }).getByRole('listitem'));

beforeAll(async () => {
  browser = await launchBrowser();
  teacher = await givenTeacher({ displayName: 'Ms Keller', timeZone: 'Europe/Berlin' });
  const priya = await givenStudent(teacher, { name: 'Priya Raman' });
  const jonas = await givenStudent(teacher, { name: 'Jonas Weber' });
  await givenStudent(teacher, { name: 'Lea Brandt' }); // booked nothing yet: no account, no availability
  await givenAvailability(priya, 'America/New_York', [
    { day: 2, start: '17:00', end: '19:30' },
    { day: 6, start: '10:00', end: '12:00' },
  ]);
  await givenAvailability(jonas, 'Europe/Berlin', [
    { day: 2, start: '09:00', end: '12:00' },
    { day: 2, start: '14:00', end: '16:00' },
    { day: 4, start: '08:00', end: '18:00' },
  ]);
  for (const start of [`${gapWeek.add({ days: 1 })}T22:00`, `${gapWeek.add({ days: 3 })}T10:00`]) {
    const created = await teacher.api.post('/api/teacher/slots', { start, lengthMinutes: 60, subject: 'Maths' });
    if (created.status !== 201) throw new Error(`creating a slot failed: ${JSON.stringify(created.body)}`);
  }
  const context = await browser.newContext({ viewport: DESKTOP, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
  const [name, value] = teacher.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: appUrl() }]);
  page = await context.newPage();
  errors = pageErrors(page);
});
afterAll(async () => {
  await browser?.close();
});

describe("the teacher sees students' weekly availability on the week view", () => {
  it('shows nothing of it until the teacher turns it on', async () => {
    await page.goto(`${appUrl()}/teacher?week=${gapWeek}`);
    await page.getByText('Live', { exact: true }).waitFor();
    const toggle = page.getByRole('switch', { name: 'Show students’ availability' });
    expect(await toggle.isChecked()).toBe(false);
    expect(await page.getByText('Students free').count()).toBe(0);
    await screenshot(page, 'teacher-availability-off-desktop');
  });

  it("converts a New York student's evenings into Berlin time, in a week when only New York has switched to summer time", async () => {
    await page.getByRole('switch', { name: 'Show students’ availability' }).check();
    await page.getByRole('group', { name: 'Show times of' }).waitFor();
    // New York has sprung forward, Berlin not yet: five hours apart, not six.
    expect(newYorkSwitch.until(gapWeek).days).toBeLessThanOrEqual(1);
    expect(Temporal.PlainDate.compare(berlinSwitch, gapWeek.add({ days: 6 }))).toBeGreaterThan(0);
    expect(await freeOn(gapDay(1))).toEqual([
      'Jonas Weber: 09:00 to 12:00, 14:00 to 16:00',
      'Priya Raman: 22:00 to 24:00',
    ]);
    expect(await freeOn(gapDay(2))).toEqual(['Priya Raman: 00:00 to 00:30']);
    expect(await freeOn(gapDay(3))).toEqual(['Jonas Weber: 08:00 to 18:00']);
    expect(await freeOn(gapDay(5))).toEqual(['Priya Raman: 15:00 to 17:00']);
    expect(await page.getByRole('list', { name: new RegExp(`^Students free ${gapDay(0)}`) }).count()).toBe(0);
    // Only students who shared availability can be picked.
    const picks = page.getByRole('group', { name: 'Show times of' }).getByRole('checkbox');
    expect(await picks.evaluateAll((boxes) => boxes.map((box) => box.closest('label')!.textContent!.trim()))).toEqual([
      'Jonas Weber',
      'Priya Raman',
    ]);
    expect(await a11yViolations(page)).toEqual([]);
    await screenshot(page, 'teacher-availability-desktop');
  });

  it('hides and shows one student at a time, with the keyboard', async () => {
    const jonas = page.getByRole('checkbox', { name: 'Jonas Weber' });
    await jonas.focus();
    await page.keyboard.press('Space');
    expect(await jonas.isChecked()).toBe(false);
    expect(await freeOn(gapDay(1))).toEqual(['Priya Raman: 22:00 to 24:00']);
    await page.keyboard.press('Space');
    expect(await freeOn(gapDay(1))).toEqual([
      'Jonas Weber: 09:00 to 12:00, 14:00 to 16:00',
      'Priya Raman: 22:00 to 24:00',
    ]);
  });

  it('remembers the choice, and follows Berlin to summer time in the week after it switches', async () => {
    await page.goto(`${appUrl()}/teacher?week=${bothWeek}`);
    expect(await page.getByRole('switch', { name: 'Show students’ availability' }).isChecked()).toBe(true);
    await page.getByRole('list', { name: new RegExp(`^Students free ${bothDay(1)}`) }).waitFor();
    expect(await freeOn(bothDay(1))).toEqual([
      'Jonas Weber: 09:00 to 12:00, 14:00 to 16:00',
      'Priya Raman: 23:00 to 24:00',
    ]);
    expect(await freeOn(bothDay(2))).toEqual(['Priya Raman: 00:00 to 01:30']);
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize(PHONE);
    await page.goto(`${appUrl()}/teacher?week=${gapWeek}`);
    await page.getByRole('list', { name: new RegExp(`^Students free ${gapDay(1)}`) }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect(await a11yViolations(page)).toEqual([]);
    await screenshot(page, 'teacher-availability-phone');
    await page.setViewportSize(DESKTOP);
  });

  it('says so when no student has shared availability yet, after a failed load and a retry', async () => {
    const other = await givenTeacher({ displayName: 'Mr Novak' });
    await givenStudent(other, { name: 'Tom Fischer' });
    const context = await browser.newContext({ viewport: DESKTOP, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
    const [name, value] = other.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: appUrl() }]);
    const otherPage = await context.newPage();
    await otherPage.goto(`${appUrl()}/teacher?week=${gapWeek}`);
    const failure = { error: { code: 'unavailable', message: 'Slotcast is busy. Try again in a moment.' } };
    await otherPage.route('**/api/teacher/students', (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify(failure) }),
    );
    await otherPage.getByRole('switch', { name: 'Show students’ availability' }).check();
    await otherPage.getByRole('alert').getByText('Slotcast is busy. Try again in a moment.').waitFor();
    await otherPage.unroute('**/api/teacher/students');
    await otherPage.getByRole('button', { name: 'Try again' }).click();
    await otherPage.getByText('No student has shared availability yet.').waitFor();
    expect(await otherPage.getByText('Students free').count()).toBe(0);
    expect(await a11yViolations(otherPage)).toEqual([]);
    await screenshot(otherPage, 'teacher-availability-empty-desktop');
    await context.close();
  });

  it("never shows students' availability in a student's booking portal", async () => {
    const student = await givenStudent(teacher, { name: 'Mia Kraus' });
    const portal = await browser.newPage({ viewport: DESKTOP, timezoneId: 'America/New_York', locale: 'en-GB' });
    await portal.goto(`${student.url}?week=${gapWeek}`);
    await portal.getByRole('heading', { name: 'Book a session with Ms Keller' }).waitFor();
    await portal.getByText('Live', { exact: true }).waitFor();
    expect(await portal.getByText('Students free').count()).toBe(0);
    expect(await portal.getByText('Priya Raman').count()).toBe(0);
    await portal.close();
  });

  it('raised no errors in the teacher’s page', () => {
    expect(errors).toEqual([]);
  });
});
