import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Temporal } from 'temporal-polyfill';
import { givenStudent, givenTeacher } from '../support/scenario.ts';
import { a11yViolations, launchBrowser, PHONE } from '../support/browser.ts';
import { openPortalAt } from '../support/portal-page.ts';
import { hoursFromNow } from '../support/time.ts';

const DAY = 86_400_000;
let browser: Browser;
let student: Awaited<ReturnType<typeof givenStudent>>;
let firstSlot: number;

beforeAll(async () => {
  browser = await launchBrowser();
  const teacher = await givenTeacher({ displayName: 'Ms Rivera', bookingHorizonDays: 90, minNoticeMinutes: 60 });
  // Slots only 45 days and more from now: from any of the next seven days they lie five weeks and more ahead,
  // past the first block of weeks the page reads.
  for (const [i, subject] of ['Geometry', 'Algebra', 'Physics'].entries()) {
    const created = await teacher.api.post<{ slots: { startsAt: number }[] }>('/api/teacher/slots', {
      start: hoursFromNow(45 * 24 + i * 26),
      lengthMinutes: 60,
      subject,
    });
    expect(created.status).toBe(201);
    if (i === 0) firstSlot = created.body.slots[0]!.startsAt;
  }
  student = await givenStudent(teacher, { name: 'Ada Lin', expiresInDays: 60 });
});
afterAll(async () => {
  await browser?.close();
});

describe('the booking page’s first screen on a phone', () => {
  // Each of the next seven days is another weekday: the page must find the free time from any of them.
  for (let offset = 0; offset < 7; offset++) {
    it(`shows a bookable time without scrolling, when opened ${offset} day(s) from now`, async () => {
      const at = Date.now() + offset * DAY;
      const weekday = Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO('Asia/Kolkata').dayOfWeek;
      const { context, page } = await openPortalAt(browser, student.url, { at, timezoneId: 'Asia/Kolkata' });
      try {
        await page.getByRole('heading', { name: 'Book a session with Ms Rivera' }).waitFor();
        const next = page.getByRole('button', { name: /Geometry/ }).first();
        await next.waitFor();
        // The page's "today" is the injected one, not the machine's: it offers no date before it.
        const today = Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO('Asia/Kolkata').toPlainDate();
        expect(await page.getByLabel('Date', { exact: true }).getAttribute('min'), `weekday ${weekday}`).toBe(
          today.toString(),
        );
        // Shown in the zone's current name, not the browser's outdated "Asia/Calcutta".
        await page.getByText('Kolkata', { exact: true }).waitFor();
        expect(await page.evaluate(() => window.scrollY)).toBe(0);
        const bookable = page.getByRole('button', { name: /Available|Geometry/ });
        const boxes = await Promise.all((await bookable.all()).map((b) => b.boundingBox()));
        const inView = boxes.filter((box) => box && box.y >= 0 && box.y + box.height <= PHONE.height);
        expect(inView.length, `weekday ${weekday}: a bookable time on the first screen`).toBeGreaterThan(0);
        // It is the first free time, and it opens the booking dialog.
        const firstDate = Temporal.Instant.fromEpochMilliseconds(firstSlot).toZonedDateTimeISO('Asia/Kolkata');
        expect(await next.textContent()).toContain(String(firstDate.day));
        // The first screen led by later weeks' times: nothing for axe to report (once; the page is the same).
        if (offset === 0) expect(await a11yViolations(page)).toEqual([]);
        await next.click();
        await page.getByRole('dialog', { name: 'Book this time?' }).waitFor();
      } finally {
        await context.close();
      }
    });
  }
});
