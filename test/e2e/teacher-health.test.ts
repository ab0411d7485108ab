/**
 * The teacher's health page on a phone and a desktop: empty before any student opened a link, then the
 * portal's requests (a revoked link's refusals among them) as totals and a per-day table that fits a phone with
 * no sideways scrolling. No axe finding at any impact; the screenshots in docs/screens/ are the ones it takes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { givenStudent, givenTeacher } from '../support/scenario.ts';
import { appUrl } from '../support/stack.ts';
import { join } from 'node:path';
import { a11yViolations, DESKTOP, launchBrowser, newContext, PHONE } from '../support/browser.ts';

const SCREENS = join(import.meta.dirname, '..', '..', 'docs', 'screens');

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const cookieOf = (header: string) => {
  const eq = header.indexOf('=');
  return { name: header.slice(0, eq), value: header.slice(eq + 1), url: appUrl() };
};

describe('the teacher sees their portal’s health', () => {
  it('shows nothing yet, then the requests, refusals and response times, readable on a phone', async () => {
    const teacher = await givenTeacher({ displayName: 'Ms Hopper', timeZone: 'Europe/Berlin' });
    const context = await newContext(browser, { viewport: PHONE, isMobile: true, hasTouch: true, locale: 'en-GB' });
    await context.addCookies([cookieOf(teacher.cookie)]);
    const page = await context.newPage();
    await page.goto(`${appUrl()}/teacher/health`);
    await expect
      .poll(() => page.getByText('No requests through your booking links in this period yet.').isVisible())
      .toBe(true);

    const ada = await givenStudent(teacher, { name: 'Ada' });
    const gone = await givenStudent(teacher, { name: 'Gone' });
    expect((await teacher.api.post(`/api/teacher/students/${gone.id}/share-link/revoke`)).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await ada.portal.calendar()).status).toBe(200);
    expect((await gone.portal.calendar()).status).toBe(410);

    await page.reload();
    const totals = page.locator('dl.totals');
    await expect.poll(() => totals.isVisible()).toBe(true);
    expect(await totals.locator('div', { hasText: 'Requests' }).locator('dd').textContent()).toBe('5');
    expect(await totals.locator('div', { hasText: 'Refused' }).locator('dd').textContent()).toContain('20%');
    // One day's row, or two if the requests straddled midnight in Berlin.
    const rows = page.getByRole('row');
    expect(await rows.count()).toBeGreaterThanOrEqual(2);
    // Each day's figures keep their column names on a phone, where the table is drawn as one card a day.
    const firstDay = page.getByRole('table', { name: 'Per day' }).locator('tbody tr').first();
    expect(await firstDay.getByRole('cell').first().innerText()).toMatch(/^Requests\s+\d+$/);
    // Nothing on the page is wider than the phone: no sideways scrolling.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect(await a11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENS, 'teacher-health-390.png'), fullPage: true });
    await page.setViewportSize(DESKTOP);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(DESKTOP.width);
    expect(await a11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENS, 'teacher-health-1280.png'), fullPage: true });
    await context.close();
  });
});
