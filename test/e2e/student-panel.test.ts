/**
 * The student panel with 200 students, in Chromium: how fast it is ready, search, sort, filter, creating every
 * missing link at once, and regenerating a link while the student has their portal open (their page turns
 * into the dead-link screen live). Screenshots at 390 and 1280 px go to docs/screens/.
 */
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { a11yViolations, DESKTOP, launchBrowser, newContext, pageErrors, PHONE } from '../support/browser.ts';
import { givenManyStudents, givenSlots, givenStudent, givenTeacher } from '../support/scenario.ts';
import { appUrl } from '../support/stack.ts';

const SCREENS = join(import.meta.dirname, '..', '..', 'docs', 'screens');
/** The panel must be usable this soon after navigation starts (issue 12), measured in the page itself. */
const INTERACTIVE_BUDGET_MS = 1000;
/**
 * On a machine whose cores are shared far beyond their count (load per core over 2, as when several test
 * suites run at once), wall-clock time measures the queue for the CPU, not the page: the test then holds the
 * page to three times the budget and says so in its JSON line.
 */
const loadPerCore = () => loadavg()[0]! / cpus().length;

let browser: Browser;
let teacher: Awaited<ReturnType<typeof givenTeacher>>;
let ada: Awaited<ReturnType<typeof givenStudent>>;
let zed: Awaited<ReturnType<typeof givenStudent>>;

async function teacherPage(viewport: { width: number; height: number }): Promise<Page> {
  const context = await newContext(browser, { viewport });
  const [name, value] = teacher.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: appUrl() }]);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: appUrl() });
  return context.newPage();
}

const rows = (page: Page) => page.locator('table.panel tbody tr:not(.problem)');

/**
 * Opens the panel and measures, in the page: navigation start → the 200 rows on screen (the page's own
 * performance mark), and then how long a search takes from the keystroke's input event to the next frame
 * with the narrowed list painted.
 */
async function openAndMeasure(page: Page) {
  await page.goto(`${appUrl()}/teacher/students`);
  await page.waitForFunction(() => performance.getEntriesByName('slotcast:students-rendered').length > 0);
  const { renderedMs, apiMs } = await page.evaluate(() => ({
    renderedMs: performance.getEntriesByName('slotcast:students-rendered')[0]!.startTime,
    // When the panel's one request had its answer: the rest of renderedMs is the browser's work.
    apiMs: (
      performance.getEntriesByType('resource').find((e) => e.name.endsWith('/api/teacher/students')) as
        PerformanceResourceTiming | undefined
    )?.responseEnd,
  }));
  const searchMs = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const input = document.querySelector<HTMLInputElement>('#panel-search')!;
        const start = performance.now();
        input.value = 'Student 150';
        input.dispatchEvent(new Event('input', { bubbles: true }));
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - start)));
      }),
  );
  expect(await rows(page).count()).toBe(1);
  await page.fill('#panel-search', '');
  return { renderedMs: Math.round(renderedMs), apiDoneMs: Math.round(apiMs ?? -1), searchMs: Math.round(searchMs) };
}

beforeAll(async () => {
  browser = await launchBrowser();
  teacher = await givenTeacher({ displayName: 'Ms Rivera', minNoticeMinutes: 0 });
  const [slotId] = await givenSlots(teacher, 1, 30);
  await givenManyStudents(teacher, 198);
  ada = await givenStudent(teacher, { name: 'Ada Lin' });
  zed = await givenStudent(teacher, { name: 'Zed Portal' });
  expect((await ada.portal.book(slotId!)).status).toBe(201);
});
afterAll(async () => {
  await browser?.close();
});

describe('the student panel with 200 students', () => {
  let page: Page;
  let errors: string[];

  it('is on screen and answers a search within a second of navigation', async () => {
    page = await teacherPage(DESKTOP);
    errors = pageErrors(page);
    // The first load warms the Worker and the browser's cache of the app's files, as a teacher's second visit.
    await openAndMeasure(page);
    const runs = [await openAndMeasure(page), await openAndMeasure(page), await openAndMeasure(page)];
    const median = (values: number[]) => values.sort((a, b) => a - b)[1]!;
    const figures = {
      renderedMs: median(runs.map((r) => r.renderedMs)),
      searchMs: median(runs.map((r) => r.searchMs)),
    };
    const load = loadPerCore();
    const budget = load > 2 ? 3 * INTERACTIVE_BUDGET_MS : INTERACTIVE_BUDGET_MS;
    console.log(
      JSON.stringify({ panel: 'students', students: 200, ...figures, budget, loadPerCore: load.toFixed(1), runs }),
    );
    expect(figures.renderedMs + figures.searchMs).toBeLessThan(budget);
    expect(await rows(page).count()).toBe(200);
    await page.getByText('Showing all 200 students').waitFor();
  });

  it('creates the missing links in one go', async () => {
    await page.getByRole('button', { name: 'Create links for 198 students without one' }).click();
    await page.getByText('198 links created.').waitFor();
    expect(await page.locator('.badge.none').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Create links for/ }).count()).toBe(0);
  });

  it('searches, sorts and filters', async () => {
    await page.getByLabel('Search').fill('zed');
    await page.getByText('Showing 1 of 200 students').waitFor();
    expect(await rows(page).first().locator('th').innerText()).toContain('Zed Portal');
    await page.getByLabel('Search').fill('');
    // Ada's is the only upcoming session, so she leads when sorted by next session.
    await page.getByLabel('Sort by').selectOption('next_session');
    await expect.poll(() => rows(page).first().locator('th .name').innerText()).toBe('Ada Lin');
    await page.getByLabel('Sort by').selectOption('name');
    await expect.poll(() => rows(page).first().locator('th .name').innerText()).toBe('Ada Lin');
    await expect.poll(() => rows(page).last().locator('th .name').innerText()).toBe('Zed Portal');
    await page.getByLabel('Show').selectOption('no_link');
    await page.getByText('No student matches').waitFor();
    await page.getByLabel('Show').selectOption('all');
    await page.getByText('Showing all 200 students').waitFor();
  });

  it('copies a link from its row', async () => {
    await page.getByRole('button', { name: 'Copy Zed Portal’s link' }).click();
    await page.getByText('Zed Portal’s link copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(zed.url);
  });

  it('looks right and has no accessibility violations on a desktop and a phone', async () => {
    mkdirSync(SCREENS, { recursive: true });
    expect(await a11yViolations(page)).toEqual([]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SCREENS, 'students-1280.png') });
    const phone = await teacherPage(PHONE);
    await phone.goto(`${appUrl()}/teacher/students`);
    await phone.getByText('Showing all 200 students').waitFor();
    expect(await a11yViolations(phone)).toEqual([]);
    await phone.screenshot({ path: join(SCREENS, 'students-390.png') });
    await phone.getByRole('button', { name: 'Manage Ada Lin’s link' }).click();
    await phone.getByRole('dialog', { name: 'Booking link for Ada Lin' }).waitFor();
    expect(await a11yViolations(phone)).toEqual([]);
    await phone.screenshot({ path: join(SCREENS, 'students-manage-390.png') });
    await phone.context().close();
    // axe walks every one of the 200 rows, three times: slow on busy cores.
  }, 240_000);

  it('regenerates a link while the student has the portal open: their page shows the dead-link screen', async () => {
    const portalContext = await newContext(browser, { viewport: PHONE });
    const portal = await portalContext.newPage();
    await portal.goto(zed.url);
    await portal.getByRole('heading', { name: 'Book a session with Ms Rivera' }).waitFor();
    await portal.getByText('Live', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Manage Zed Portal’s link' }).click();
    const dialog = page.getByRole('dialog', { name: 'Booking link for Zed Portal' });
    await dialog.getByRole('button', { name: 'Regenerate link' }).click();
    await dialog.getByText('A new link is ready; the old one no longer works.').waitFor();
    const newUrl = await dialog.getByLabel('Personal link').inputValue();
    expect(newUrl).not.toBe(zed.url);

    await portal.getByRole('heading', { name: 'This link was replaced' }).waitFor({ timeout: 10_000 });
    expect(await portal.getByText('Book a session with').count()).toBe(0);
    await portalContext.close();
  });

  it('changes the expiry to hours and the booking limit in place', async () => {
    const dialog = page.getByRole('dialog', { name: 'Booking link for Zed Portal' });
    await dialog.getByLabel('Lasts from now').fill('6');
    await dialog.getByLabel('Unit').selectOption('hours');
    await dialog.getByLabel('Bookings allowed').fill('2');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.getByText('Saved. The student keeps the same link.').waitFor();
    await dialog.getByText(/for 2 bookings \(0 made\)/).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    // Six hours is "expiring soon"; the row shows its limit.
    await page.getByLabel('Show').selectOption('expiring_soon');
    await page.getByText('Showing 1 of 200 students').waitFor();
    expect(await rows(page).first().innerText()).toMatch(/Zed Portal[\s\S]*Expiring soon[\s\S]*0 of 2/);
    expect(errors).toEqual([]);
  });
});
