/**
 * The teacher's audit page in Chromium: entries as cards on a phone and a table on a desktop, the filters,
 * paging, the CSV link, and no accessibility violations at either width. Screenshots go to docs/screens/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { a11yViolations, DESKTOP, launchBrowser, newContext, pageErrors, PHONE } from '../support/browser.ts';
import { testClient } from '../support/client.ts';
import { givenShareLink, givenSlots, givenStudent, givenTeacher } from '../support/scenario.ts';
import { appUrl, uniqueIp } from '../support/stack.ts';

const SCREENS = join(import.meta.dirname, '..', '..', 'docs', 'screens');
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  mkdirSync(SCREENS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

describe('the audit page', () => {
  it('lists, filters and pages the trail on a phone and a desktop, with no accessibility violations', async () => {
    const teacher = await givenTeacher({ displayName: 'Ms Ledger' });
    const tab = testClient({
      cookie: teacher.cookie,
      ip: uniqueIp(),
      headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1' },
    });
    expect((await tab.patch('/api/teacher/settings', { bufferMinutes: 15, minNoticeMinutes: 120 })).status).toBe(200);
    const [slot] = await givenSlots({ api: tab }, 3, 72);
    const priya = await givenStudent({ api: tab }, { name: 'Priya Raman' });
    const regenerated = await givenShareLink({ api: tab }, priya.id);
    await givenStudent({ api: tab }, { name: 'Tom Okafor' });
    expect((await regenerated.portal.book(slot!)).status).toBe(201);
    // Enough entries for a second page (50 a page).
    for (let i = 0; i < 40; i++)
      expect((await tab.patch('/api/teacher/settings', { bufferMinutes: i % 2 ? 15 : 20 })).status).toBe(200);

    const context = await newContext(browser, { viewport: PHONE });
    const [name, value] = teacher.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: appUrl() }]);
    const page = await context.newPage();
    const errors = pageErrors(page);
    await page.goto(`${appUrl()}/teacher`);
    // On a phone the links are behind the Menu button.
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Audit trail' }).waitFor();

    // On a phone: cards, no table.
    const cards = page.getByRole('listitem').filter({ hasText: 'Settings changed' });
    await cards.first().waitFor();
    expect(await page.getByRole('table').count()).toBe(0);
    await expect.poll(() => page.getByText('bufferMinutes: 20 → 15').count()).toBeGreaterThan(0);

    // Paging: the first page holds 50; "Show older entries" brings the rest.
    const older = page.getByRole('button', { name: 'Show older entries' });
    await older.waitFor();
    const before = await page.getByRole('listitem').count();
    await older.click();
    await expect.poll(() => page.getByRole('listitem').count()).toBeGreaterThan(before);
    await page.getByRole('button', { name: 'Show older entries' }).waitFor({ state: 'detached' });

    // Filters: one student, then one action.
    await page.getByLabel('Student', { exact: true }).selectOption({ label: 'Priya Raman' });
    await page.getByRole('listitem').filter({ hasText: 'Booking made' }).waitFor();
    expect(await page.getByRole('listitem').filter({ hasText: 'Settings changed' }).count()).toBe(0);
    await page.getByLabel('Action', { exact: true }).selectOption({ label: 'Link created' });
    await expect.poll(() => page.getByRole('listitem').count()).toBe(1);
    await page.getByLabel('Action', { exact: true }).selectOption({ label: 'API key revoked' });
    await page.getByText('Nothing matches these filters in this period.').waitFor();
    await page.getByLabel('Action', { exact: true }).selectOption({ label: 'All actions' });
    await page.getByLabel('Student', { exact: true }).selectOption({ label: 'All students' });
    await page.getByRole('listitem').filter({ hasText: 'Student added' }).first().waitFor();

    const csv = page.getByRole('link', { name: 'Download CSV' });
    expect(await csv.getAttribute('href')).toMatch(/^\/api\/teacher\/audit\.csv\?from=\d+$/);
    const download = await context.request.get(appUrl() + (await csv.getAttribute('href'))!);
    expect(download.status()).toBe(200);
    expect(await download.text()).toContain('"Priya Raman"');

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SCREENS, 'teacher-audit-390.png') });
    expect(await a11yViolations(page)).toEqual([]);

    // On a desktop: a table with column headers.
    await page.setViewportSize(DESKTOP);
    const table = page.getByRole('table');
    await table.waitFor();
    for (const column of ['When', 'What', 'Who', 'Student', 'Details', 'Where'])
      expect(await table.getByRole('columnheader', { name: column }).count()).toBe(1);
    expect(await table.getByRole('row').filter({ hasText: 'Link created' }).count()).toBe(2);
    await page.screenshot({ path: join(SCREENS, 'teacher-audit-1280.png') });
    expect(await a11yViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
