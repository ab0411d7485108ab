/**
 * The analytics page in Chromium over the eight-week scenario with known numbers: the period picker, the
 * figures, the link table, a chart's table, CSV downloads parsed back with papaparse, a refused period, the
 * empty state, axe, and screenshots at phone and desktop widths (docs/screens/teacher-analytics-<width>.png).
 * The browser sends the scenario's "now" on every request (`X-Slotcast-Now`, honoured by the test stack only).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { givenAnalyticsScenario, type AnalyticsScenario } from '../support/analytics-scenario.ts';
import { a11yViolations, DESKTOP, launchBrowser, newContext, pageErrors, PHONE } from '../support/browser.ts';
import { NOW_HEADER } from '../support/client.ts';
import { givenTeacher } from '../support/scenario.ts';
import { appUrl } from '../support/stack.ts';

const SCREENS = join(import.meta.dirname, '..', '..', 'docs', 'screens');

let browser: Browser;
let scenario: AnalyticsScenario;

beforeAll(async () => {
  [browser, scenario] = await Promise.all([launchBrowser(), givenAnalyticsScenario()]);
}, 240_000);
afterAll(async () => {
  await browser?.close();
});

async function signedInContext(cookie: string, now: number, viewport = DESKTOP): Promise<BrowserContext> {
  const context = await newContext(browser, {
    viewport,
    acceptDownloads: true,
    extraHTTPHeaders: { [NOW_HEADER]: String(now) },
  });
  const [name, value] = cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: appUrl() }]);
  return context;
}

/** Opens the page and shows the scenario's period. */
async function openPeriod(page: Page) {
  await page.goto(`${appUrl()}/teacher/analytics`);
  await page.getByRole('heading', { name: 'Analytics', level: 1 }).waitFor();
  await page.getByText(/\(30 days\), compared with/).waitFor();
  await page.getByLabel('From').fill(scenario.period.from);
  await page.getByLabel('To').fill(scenario.period.to);
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await page.getByText(/\(28 days\), compared with/).waitFor();
}

/**
 * Scrolls past every chart, as a reader would, and waits for each to be drawn (a chart is drawn as it nears the
 * screen), then back to the top. The links table is laid out only near the screen (`content-visibility: auto`),
 * which a full-page screenshot, taken in one frame, would show as empty space: it is laid out for the picture.
 */
async function drawEveryChart(page: Page) {
  const charts = page.locator('figure.chart');
  for (let i = 0; i < (await charts.count()); i++) {
    await charts.nth(i).scrollIntoViewIfNeeded();
    await charts.nth(i).locator('svg').first().waitFor();
  }
  await page.addStyleTag({ content: '* { content-visibility: visible !important; }' });
  await page.evaluate(() => window.scrollTo(0, 0));
}

const figureCard = (page: Page, label: string) =>
  page.getByRole('listitem').filter({ has: page.getByText(label, { exact: true }) });

async function downloadedCsv(page: Page, buttonName: string) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: buttonName }).click(),
  ]);
  const text = readFileSync((await download.path())!, 'utf8');
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  return { name: download.suggestedFilename(), rows: parsed.data };
}

describe('the analytics page', () => {
  it('shows the period’s figures, links and charts with tables, and exports them as CSV', async () => {
    const context = await signedInContext(await scenario.teacherCookieAt(scenario.readAt), scenario.readAt);
    const page = await context.newPage();
    const errors = pageErrors(page);
    await openPeriod(page);

    await expect.poll(() => figureCard(page, 'Booked').locator('strong').innerText()).toBe('6');
    expect(await figureCard(page, 'Booked').innerText()).toMatch(/\+4 \(\+200%\)\s+vs 2 in the 28 days before/);
    expect(await figureCard(page, 'Canceled by you').locator('strong').innerText()).toBe('1');
    expect(await figureCard(page, 'No-shows').locator('strong').innerText()).toBe('1');
    await page.getByText('3 active, 2 inactive of 5.').waitFor();
    await page.getByText('9 sent, 0 failed, 1 bounced.').waitFor();

    const adaRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Ada' }) });
    expect(await adaRow.getByRole('cell').allInnerTexts()).toEqual(
      expect.arrayContaining(['Active', '4', '3', '1', '75%']),
    );

    // A chart's numbers as a real table.
    await page.getByText('Table: Subjects').click();
    const subjects = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Subject' }) });
    await subjects.waitFor();
    expect(await subjects.getByRole('row').allInnerTexts()).toEqual([
      'Subject\tBookings',
      'Maths\t3',
      'No subject\t1',
      'Chemistry\t1',
      'Physics\t1',
    ]);

    const links = await downloadedCsv(page, 'Download “Share links” as CSV');
    expect(links.name).toBe(`links-${scenario.period.from}_${scenario.period.to}.csv`);
    const ada = links.rows.find((r) => r.Student === 'Ada')!;
    expect(ada).toMatchObject({
      State: 'Active',
      'Visits (period)': '4',
      'Bookings (period)': '3',
      'Cancellations (period)': '1',
      'Visits → bookings (period)': '75%',
      'Visits (all time)': '5',
      'Bookings (all time)': '4',
    });
    expect(links.rows.map((r) => [r.Student, r.State]).sort()).toEqual([
      ['Ada', 'Active'],
      ['Ben', 'Used up'],
      ['Cleo', 'Revoked'],
      ['Dev', 'Expiring soon'],
      ['Eve', 'Expired'],
    ]);
    const figures = await downloadedCsv(page, 'Download “Bookings” as CSV');
    expect(figures.rows.find((r) => r.Figure === 'Booked')).toEqual({
      Figure: 'Booked',
      'This period': '6',
      'Previous period': '2',
      Change: '4',
      'Change %': '200',
    });
    const subjectsCsv = await downloadedCsv(page, 'Download “Subjects” as CSV');
    expect(subjectsCsv.rows.map((r) => [r.Subject, r.Bookings])).toEqual([
      ['Maths', '3'],
      ['No subject', '1'],
      ['Chemistry', '1'],
      ['Physics', '1'],
    ]);
    const sessionTimes = await downloadedCsv(page, 'Download “When sessions take place” as CSV');
    expect(sessionTimes.rows.reduce((n, r) => n + Number(r.Total), 0)).toBe(scenario.heldSessions.length);

    await drawEveryChart(page);
    expect(await a11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENS, 'teacher-analytics-1280.png'), fullPage: true });

    // A period a person got wrong: the server's sentence, and the figures stay.
    await page.getByLabel('From').fill('2020-01-01');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Ask for at most 366 days at once.' }).waitFor();
    expect(await figureCard(page, 'Booked').locator('strong').innerText()).toBe('6');
    expect(errors.filter((e) => !e.includes('400'))).toEqual([]);
    await context.close();
  });

  it('reads on a phone without sideways scrolling', async () => {
    const context = await signedInContext(await scenario.teacherCookieAt(scenario.readAt), scenario.readAt, PHONE);
    const page = await context.newPage();
    await openPeriod(page);
    await page.getByText('3 active, 2 inactive of 5.').waitFor();
    await drawEveryChart(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect(await a11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENS, 'teacher-analytics-390.png'), fullPage: true });
    await context.close();
  });

  it('tells a teacher with nothing yet where the numbers will come from', async () => {
    const teacher = await givenTeacher();
    const context = await signedInContext(teacher.cookie, Date.now());
    const page = await context.newPage();
    await page.goto(`${appUrl()}/teacher/analytics`);
    await page.getByText('Nothing happened in this period yet.').waitFor();
    await page.getByText('No share links yet.').waitFor();
    await page.getByRole('link', { name: 'Analytics' }).and(page.locator('[aria-current="page"]')).waitFor();
    await context.close();
  });
});
