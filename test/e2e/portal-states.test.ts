import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { givenStudent, givenTeacher, type GivenTeacher } from '../support/scenario.ts';
import { a11yViolations, DESKTOP, launchBrowser, PHONE, pageErrors } from '../support/browser.ts';
import { openPortalAt } from '../support/portal-page.ts';
import { daysFromToday } from '../support/time.ts';

let browser: Browser;
let teacher: GivenTeacher;
const closers: (() => Promise<void>)[] = [];

async function portal(url: string, options: Parameters<typeof openPortalAt>[2] = {}): Promise<Page> {
  const { context, page } = await openPortalAt(browser, url, options);
  closers.push(() => context.close());
  return page;
}
const ready = (page: Page) => page.getByRole('heading', { name: 'Book a session with Ms Rivera' }).waitFor();
const liveBadge = (page: Page) => page.getByRole('status').filter({ hasText: /^(Live|Reconnecting…|Connecting…)$/ });

beforeAll(async () => {
  browser = await launchBrowser();
  teacher = await givenTeacher({ displayName: 'Ms Rivera', minNoticeMinutes: 60, bookingHorizonDays: 21 });
  // Three days from now, morning, afternoon and evening in the teacher's (and the browsers') zone.
  for (const [time, subject] of [
    ['09:00', 'Geometry'],
    ['14:00', 'Algebra'],
    ['19:00', 'Physics'],
  ] as const) {
    const created = await teacher.api.post('/api/teacher/slots', {
      start: `${daysFromToday(3)}T${time}`,
      lengthMinutes: 60,
      subject,
    });
    expect(created.status).toBe(201);
  }
});
afterAll(async () => {
  for (const close of closers) await close();
  await browser?.close();
});

describe('booking, failing and cancelling on the booking page', () => {
  let page: Page;
  let errors: string[];

  it('lets Confirm work again after a failed booking, and focuses the confirmation', async () => {
    const student = await givenStudent(teacher, { name: 'Ada Lin' });
    page = await portal(student.url, { viewport: DESKTOP });
    errors = pageErrors(page);
    await ready(page);
    await liveBadge(page).filter({ hasText: 'Live' }).waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    await page.getByRole('button', { name: /Geometry\s*,\s*Available/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Book this time?' });
    await page.context().setOffline(true);
    await dialog.getByRole('button', { name: 'Confirm booking' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'could not be reached' }).waitFor();
    const again = dialog.getByRole('button', { name: 'Try again' });
    expect(await again.isEnabled()).toBe(true);
    expect(await a11yViolations(page)).toEqual([]);
    await page.context().setOffline(false);
    await again.click();
    const booked = page.getByRole('dialog', { name: "You're booked" });
    await booked.waitFor();
    // Focus is on the confirmation, not dropped to the page.
    expect(await page.evaluate(() => document.activeElement?.textContent ?? '')).toContain('with Ms Rivera');
    expect(await a11yViolations(page)).toEqual([]);
    await booked.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: /Geometry\s*,\s*Your booking/ }).waitFor();
  });

  it('reaches My bookings from the top, and focuses what was canceled after cancelling', async () => {
    await page.getByRole('link', { name: 'My bookings (1)' }).click();
    const mine = page.getByRole('region', { name: 'My bookings' });
    await mine.getByRole('button', { name: /Cancel the session/ }).click();
    await mine.getByRole('button', { name: 'Yes, cancel it' }).click();
    await mine.getByText('No upcoming sessions').waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent ?? '')).toMatch(/Canceled your session on/);
    await page.getByRole('button', { name: /Geometry\s*,\s*Available/ }).waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    // The one failed request is the offline booking attempt above.
    expect(errors.filter((e) => !e.includes('ERR_INTERNET_DISCONNECTED'))).toEqual([]);
  });
});

describe('finding a time on a phone', () => {
  it('reaches a bookable time in a few Tab presses, and through the skip link', async () => {
    const student = await givenStudent(teacher, { name: 'Ben Okafor' });
    const page = await portal(student.url);
    await ready(page);
    await page
      .getByRole('button', { name: /Geometry/ })
      .first()
      .waitFor();
    let presses = 0;
    let focused = '';
    while (presses < 8 && !/Geometry|Available/.test(focused)) {
      await page.keyboard.press('Tab');
      presses++;
      focused = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.innerText ?? '');
    }
    expect(focused).toMatch(/Geometry/);
    expect(presses).toBeLessThanOrEqual(6);

    await page.reload();
    await ready(page);
    await page
      .getByRole('button', { name: /Geometry/ })
      .first()
      .waitFor();
    const skip = page.getByRole('link', { name: 'Skip to available times' });
    for (let i = 0; i < 3 && !(await skip.evaluate((el) => el === document.activeElement)); i++)
      await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.innerText ?? '')).toMatch(
      /Geometry/,
    );
  });

  it('filters by time of day and by subject', async () => {
    const student = await givenStudent(teacher, { name: 'Cam Diaz' });
    const page = await portal(student.url);
    await ready(page);
    const morning = page.getByRole('button', { name: /09:00.*Geometry\s*,\s*Available/ });
    const evening = page.getByRole('button', { name: /19:00.*Physics\s*,\s*Available/ });
    await morning.waitFor();
    await page.getByLabel('Time of day').selectOption('evening');
    await evening.waitFor();
    expect(await morning.count()).toBe(0);
    await page.getByLabel('Subject').selectOption('Geometry');
    await page.getByText(/No free times this week for Geometry, evening/).waitFor();
    expect(await evening.count()).toBe(0);
    expect(await a11yViolations(page)).toEqual([]);
  });

  it('shows times in a zone picked by name, remembered for this link only', async () => {
    const student = await givenStudent(teacher, { name: 'Dee Park' });
    const page = await portal(student.url, { timezoneId: 'Europe/Berlin' });
    await ready(page);
    await page
      .getByRole('button', { name: /09:00.*Geometry/ })
      .first()
      .waitFor();
    await page.getByRole('button', { name: 'Change time zone' }).click();
    const dialog = page.getByRole('dialog', { name: 'Show times in another time zone' });
    await dialog.getByLabel(/Search by city/).fill('india');
    expect(await a11yViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: /Kolkata/ }).click();
    // 09:00 in Berlin is 13:30 (winter) or 12:30 (summer) in Kolkata.
    await page
      .getByRole('button', { name: /1[23]:30.*Geometry/ })
      .first()
      .waitFor();
    await page.getByText(/Ms Rivera is in Berlin/).waitFor();
    await page.reload();
    await ready(page);
    await page
      .getByRole('button', { name: /1[23]:30.*Geometry/ })
      .first()
      .waitFor();
    // Another link in the same browser keeps the device's zone.
    const other = await givenStudent(teacher, { name: 'Eli Moss' });
    await page.goto(other.url);
    await ready(page);
    await page
      .getByRole('button', { name: /09:00.*Geometry/ })
      .first()
      .waitFor();
  });

  it('says nothing can be booked past the teacher’s horizon', async () => {
    const student = await givenStudent(teacher, { name: 'Fay Lund' });
    const page = await portal(student.url);
    await ready(page);
    await page
      .getByRole('button', { name: /Geometry/ })
      .first()
      .waitFor();
    const next = page.getByRole('button', { name: 'Next week' });
    for (let i = 0; i < 6 && (await next.isEnabled()); i++) await next.click();
    expect(await next.isEnabled()).toBe(false);
    await page
      .getByText(
        /takes\s+bookings\s+up\s+to\s+21\s+days\s+ahead,\s+so\s+nothing\s+can\s+be\s+booked\s+this\s+far\s+ahead/,
      )
      .waitFor();
    expect(await page.getByText(/try the next week/i).count()).toBe(0);
    // Nothing on the page is wider than the phone (a wide page zooms out on a real phone).
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  });

  it('loads at most 80 KB of JavaScript, gzipped', async () => {
    const student = await givenStudent(teacher, { name: 'Gus Hale' });
    const { context, page } = await openPortalAt(browser, 'about:blank');
    closers.push(() => context.close());
    const scripts: Promise<Buffer>[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') scripts.push(response.body());
    });
    await page.goto(student.url);
    await ready(page);
    await page
      .getByRole('button', { name: /Geometry/ })
      .first()
      .waitFor();
    const gzipped = (await Promise.all(scripts)).reduce((sum, body) => sum + gzipSync(body, { level: 9 }).length, 0);
    console.log(JSON.stringify({ portalJsGzipBytes: gzipped, files: scripts.length }));
    expect(gzipped).toBeLessThanOrEqual(80 * 1024);
  });
});

describe('states that say what they are', () => {
  it('offers Try again when the calendar can’t be loaded', async () => {
    const student = await givenStudent(teacher, { name: 'Hal Berg' });
    const { context, page } = await openPortalAt(browser, 'about:blank');
    closers.push(() => context.close());
    let failed = false;
    // The network fails on the first read (a tunnel, a lift): nothing the server could do.
    await page.route('**/api/booking/*/calendar**', (route) => {
      if (failed) return route.continue();
      failed = true;
      return route.abort('internetdisconnected');
    });
    await page.goto(student.url);
    await page.getByRole('heading', { name: 'The available times couldn’t be loaded' }).waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Try again' }).click();
    await ready(page);
  });

  it('draws Reconnecting… unlike Live', async () => {
    const student = await givenStudent(teacher, { name: 'Ida Holm' });
    const { context, page } = await openPortalAt(browser, 'about:blank');
    closers.push(() => context.close());
    let drop: (() => void) | null = null;
    let refuse = false;
    // Stands between the page and the live server to drop the connection, as a deploy or a lost network does.
    await page.routeWebSocket(/\/api\/live\//, (ws) => {
      if (refuse) return ws.close();
      ws.connectToServer();
      drop = () => {
        refuse = true;
        ws.close({ code: 1001, reason: 'going away' });
      };
    });
    await page.goto(student.url);
    await ready(page);
    const badge = liveBadge(page);
    await badge.filter({ hasText: 'Live' }).waitFor();
    const look = () =>
      badge.evaluate((el) => {
        const style = getComputedStyle(el);
        return { background: style.backgroundColor, border: style.borderStyle, color: style.color };
      });
    const live = await look();
    (drop as (() => void) | null)?.();
    await badge.filter({ hasText: 'Reconnecting…' }).waitFor();
    const reconnecting = await look();
    expect(reconnecting.background).not.toBe(live.background);
    expect(reconnecting.color).not.toBe(live.color);
    expect(reconnecting.border).not.toBe(live.border);
    expect(await a11yViolations(page)).toEqual([]);
  });

  it('tells a replaced, a revoked and an expired link apart', async () => {
    const replaced = await givenStudent(teacher, { name: 'Jo Replaced' });
    const fresh = await teacher.api.post(`/api/teacher/students/${replaced.id}/share-link`, {});
    expect(fresh.status).toBe(201);
    const revoked = await givenStudent(teacher, { name: 'Kim Revoked' });
    expect((await teacher.api.post(`/api/teacher/students/${revoked.id}/share-link/revoke`)).status).toBe(200);
    const expiring = await givenStudent(teacher, { name: 'Lu Expired', expiresInDays: 1 });
    for (const [url, heading, at] of [
      [replaced.url, 'This link was replaced by a newer one', undefined],
      [revoked.url, 'This link was turned off', undefined],
      [expiring.url, 'This link has expired', Date.now() + 2 * 86_400_000],
    ] as const) {
      const page = await portal(url, { viewport: PHONE, at });
      await page.getByRole('heading', { name: heading }).waitFor();
      expect(await page.getByRole('heading', { name: /This link/ }).count()).toBe(1);
      expect(await page.getByText('Geometry').count()).toBe(0);
      expect(await a11yViolations(page)).toEqual([]);
    }
  });

  it('shows a link revoked while open as revoked, live', async () => {
    const student = await givenStudent(teacher, { name: 'Max Open' });
    const page = await portal(student.url);
    await ready(page);
    await liveBadge(page).filter({ hasText: 'Live' }).waitFor();
    expect((await teacher.api.post(`/api/teacher/students/${student.id}/share-link/revoke`)).status).toBe(200);
    await page.getByRole('heading', { name: 'This link was turned off' }).waitFor();
  });
});
