/**
 * The teacher's week as a time grid: the first screen opens where the slots are, pressing or dragging on an
 * empty time opens "New slot" at that time, a new slot is shown where it went, and booked sessions carry the
 * student's name. The browser's clock is fixed at a Wednesday 10:00 (Berlin) a week ahead, so "this week", the
 * now-line and the grid's hours never depend on the day the test runs; every slot is still in the Worker's
 * future (the Worker keeps the wall clock, which is behind the browser's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Temporal } from 'temporal-polyfill';
import { givenStudent, givenTeacher, type GivenTeacher } from '../support/scenario.ts';
import { appUrl, uniqueEmail } from '../support/stack.ts';
import { a11yViolations, DESKTOP, launchBrowser, PHONE, screenshot } from '../support/browser.ts';

const zone = 'Europe/Berlin';
const today = Temporal.Now.plainDateISO(zone);
/** The browser's "today": Wednesday of next week. */
const wednesday = today.add({ days: 7 - today.dayOfWeek + 3 });
const monday = wednesday.subtract({ days: 2 });
const at = (date: Temporal.PlainDate, time: string) =>
  date.toZonedDateTime({ timeZone: zone, plainTime: Temporal.PlainTime.from(time) });
/** The first slots are three weeks after the browser's today. */
const laterMonday = monday.add({ weeks: 3 });

let browser: Browser;
let context: BrowserContext;
let page: Page;
let teacher: GivenTeacher;

/** The point on a day's column at a wall time: the grid spans 08:00 to 20:00 when nothing is outside. */
async function pointAt(date: Temporal.PlainDate, time: string) {
  const box = (await page.locator(`[data-date="${date}"]`).boundingBox())!;
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  const fraction = (hours * 60 + minutes - 8 * 60) / (12 * 60);
  return { x: box.x + box.width / 2, y: box.y + fraction * box.height + 4 };
}

beforeAll(async () => {
  browser = await launchBrowser();
  teacher = await givenTeacher({ displayName: 'Ms Keller', timeZone: zone, defaultSlotMinutes: 60 });
  const created = await teacher.api.post<{ slots: { id: string }[] }>('/api/teacher/slots', {
    start: `${laterMonday.add({ days: 3 })}T14:00`,
    lengthMinutes: 60,
    subject: 'Geometry',
  });
  expect(created.status).toBe(201);
  await teacher.api.post('/api/teacher/slots', {
    start: `${laterMonday.add({ days: 4 })}T09:00`,
    lengthMinutes: 45,
    subject: 'Algebra',
  });
  const priya = await givenStudent(teacher, { name: 'Priya Raman' });
  expect((await priya.portal.book(created.body.slots[0]!.id)).status).toBe(201);
  // Reduced motion: a new slot is scrolled to at once, so the grid holds still between measuring and pressing.
  context = await browser.newContext({ viewport: DESKTOP, timezoneId: zone, locale: 'en-GB', reducedMotion: 'reduce' });
  await context.clock.setFixedTime(at(wednesday, '10:00').epochMilliseconds);
  const eq = teacher.cookie.indexOf('=');
  await context.addCookies([{ name: teacher.cookie.slice(0, eq), value: teacher.cookie.slice(eq + 1), url: appUrl() }]);
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
});

describe("the teacher's week", () => {
  it('opens on the week of the next slot when it is weeks away, with the booked student named', async () => {
    await page.goto(`${appUrl()}/teacher`);
    await page.waitForURL(new RegExp(`/teacher\\?week=${laterMonday}$`));
    await page.getByText('Live', { exact: true }).waitFor();
    await page.getByRole('button', { name: /14:00\s*to\s*15:00\s*,\s*Geometry\s*,\s*Booked by Priya Raman/ }).waitFor();
    await page.getByRole('button', { name: /09:00\s*to\s*09:45\s*,\s*Algebra\s*,\s*Open/ }).waitFor();
    // The name is on the slot for the eye too, not only in its spoken label.
    expect(await page.locator('.slot.booked').first().innerText()).toContain('Priya Raman');
    expect(await a11yViolations(page)).toEqual([]);
    await screenshot(page, 'teacher-week-grid-desktop');
  });

  it('offers to move or cancel a booked session from its details', async () => {
    // The dialogs' code loads after the week is drawn; each still opens on the first press.
    const booked = page.getByRole('button', { name: /Booked by Priya Raman/ });
    for (const [action, title, leave] of [
      ['Move session', "Move Priya Raman's session", 'Close'],
      ['Cancel session', "Cancel Priya Raman's session", 'Keep it'],
    ] as const) {
      await booked.click();
      await page.getByRole('dialog').getByRole('button', { name: action }).click();
      const dialog = page.getByRole('dialog', { name: title });
      await dialog.waitFor();
      await dialog.getByRole('button', { name: leave }).click();
      await dialog.waitFor({ state: 'detached' });
    }
    await booked.waitFor();
  });

  it('opens "New slot" at the time pressed on an empty part of the grid, and shows the slot there', async () => {
    await page.goto(`${appUrl()}/teacher?week=${monday}`);
    await page.getByText('Live', { exact: true }).waitFor();
    // Today's column has a line at the current time.
    await page.locator(`[data-date="${wednesday}"] .now`).waitFor();
    const thursday = wednesday.add({ days: 1 });
    const point = await pointAt(thursday, '14:00');
    await page.mouse.click(point.x, point.y);
    const dialog = page.getByRole('dialog', { name: 'New slot' });
    expect(await dialog.getByLabel('Date').inputValue()).toBe(thursday.toString());
    expect(await dialog.getByLabel('Start time').inputValue()).toBe('14:00');
    expect(await dialog.getByLabel('Length (minutes)').inputValue()).toBe('60');
    expect(await a11yViolations(page)).toEqual([]);
    await dialog.getByLabel(/Subject/).fill('Chemistry');
    await dialog.getByRole('button', { name: 'Create slot' }).click();
    const slot = page.getByRole('button', { name: /14:00\s*to\s*15:00\s*,\s*Chemistry\s*,\s*Open/ });
    await slot.waitFor();
    expect(await slot.evaluate((el) => el.closest('[data-date]')?.getAttribute('data-date'))).toBe(thursday.toString());
    await page
      .getByRole('status')
      .getByText(/Slot created: Thursday/)
      .waitFor();
  });

  it('takes the length from a drag over empty time', async () => {
    const friday = wednesday.add({ days: 2 });
    const from = await pointAt(friday, '09:00');
    const to = await pointAt(friday, '10:15');
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 5 });
    await page.getByText('09:00–10:30').waitFor(); // the drawn draft while dragging
    await page.mouse.up();
    const dialog = page.getByRole('dialog', { name: 'New slot' });
    expect(await dialog.getByLabel('Date').inputValue()).toBe(friday.toString());
    expect(await dialog.getByLabel('Start time').inputValue()).toBe('09:00');
    expect(await dialog.getByLabel('Length (minutes)').inputValue()).toBe('90');
    await dialog.getByRole('button', { name: 'Create slot' }).click();
    await page.getByRole('button', { name: /09:00\s*to\s*10:30\s*,\s*Open/ }).waitFor();
  });

  it('creates nothing when the press is on time already past', async () => {
    const point = await pointAt(wednesday, '09:00');
    await page.mouse.click(point.x, point.y);
    // A press on a future time still opens the dialog, so the click above had its chance to.
    const later = await pointAt(wednesday, '16:00');
    await page.mouse.click(later.x, later.y);
    const dialog = page.getByRole('dialog', { name: 'New slot' });
    expect(await dialog.getByLabel('Start time').inputValue()).toBe('16:00');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('goes to the week a slot was created in and rings it, from the keyboard', async () => {
    await page.getByRole('button', { name: `Add a slot on ${formatDay(wednesday.add({ days: 1 }))}` }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'New slot' });
    expect(await dialog.getByLabel('Date').inputValue()).toBe(wednesday.add({ days: 1 }).toString());
    const inTwoWeeks = wednesday.add({ weeks: 2 });
    await dialog.getByLabel('Date').fill(inTwoWeeks.toString());
    await dialog.getByLabel('Start time').fill('11:00');
    await dialog.getByRole('button', { name: 'Create slot' }).click();
    await page.waitForURL(new RegExp(`week=${monday.add({ weeks: 2 })}`));
    const slot = page.getByRole('button', { name: /11:00\s*to\s*12:00\s*,\s*Open/ });
    await slot.waitFor();
    expect(await slot.evaluate((el) => el.classList.contains('fresh'))).toBe(true);
  });

  it('shows the week as an agenda on a phone, with the menu holding the links', async () => {
    await page.setViewportSize(PHONE);
    await page.goto(`${appUrl()}/teacher?week=${laterMonday}`);
    await page.getByRole('button', { name: /Geometry\s*,\s*Booked by Priya Raman/ }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bookings' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
    expect(await a11yViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(false);
    expect(await a11yViolations(page)).toEqual([]);
    await page.setViewportSize(DESKTOP);
  });
});

/** "Thu 10 Dec", as the page writes a day in en-GB. */
function formatDay(date: Temporal.PlainDate) {
  return date.toLocaleString('en-GB', { weekday: 'short', day: 'numeric', month: 'short' });
}

describe('the landing and sign-in pages', () => {
  it('say the one form signs in or creates a teacher account, and name the address a link went to', async () => {
    for (const viewport of [PHONE, DESKTOP]) {
      const visitor = await browser.newContext({ viewport, timezoneId: zone, locale: 'en-GB' });
      const landing = await visitor.newPage();
      await landing.goto(`${appUrl()}/`);
      await landing.getByText(/signs you in, or creates your free teacher account/).waitFor();
      expect(await a11yViolations(landing)).toEqual([]);
      await landing.getByRole('link', { name: 'Sign in or create an account' }).click();
      await landing.getByRole('heading', { name: 'Sign in or create an account' }).waitFor();
      expect(await a11yViolations(landing)).toEqual([]);
      const email = uniqueEmail('new-teacher');
      await landing.getByLabel('Email address').fill(email);
      await landing.getByRole('button', { name: 'Email me a sign-in link' }).click();
      await landing.getByRole('status').getByText(`We sent a link to ${email}.`, { exact: false }).waitFor();
      expect(await a11yViolations(landing)).toEqual([]);
      await visitor.close();
    }
  });
});
