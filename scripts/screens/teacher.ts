/**
 * `node scripts/screens/teacher.ts <out dir>`: screenshots of the pages a teacher meets first (landing, sign-in and
 * its "check your inbox" answer, the week, the new-slot dialog, the phone menu) at 390 and 1280 px, against a
 * fresh local stack with a teacher who has open and booked slots. Run it before and after a change to the look.
 */
import { join } from 'node:path';
import { Temporal } from 'temporal-polyfill';
import type { Page } from 'playwright-core';
import { createTeacherSession } from '../../test/support/teacher-session.ts';
import { launchBrowser } from '../../test/support/browser.ts';
import { screensSetup } from './setup.ts';

const { outDir, stack, database } = await screensSetup();
const browser = await launchBrowser();
try {
  const teacher = await createTeacherSession(database);
  const headers = { origin: stack.appUrl, cookie: teacher.cookie, 'content-type': 'application/json' };
  const post = async (path: string, body: unknown, extra: Record<string, string> = headers) =>
    (await fetch(`${stack.appUrl}${path}`, { method: 'POST', headers: extra, body: JSON.stringify(body) })).json();
  // Slots from two weeks ahead, so "this week" is empty, as it is for a teacher who plans ahead.
  const start = Temporal.Now.plainDateISO('Europe/Berlin').add({ weeks: 2 });
  const monday = start.subtract({ days: start.dayOfWeek - 1 });
  await post('/api/teacher/slots/recurring', {
    days: [1, 2, 3, 4, 5],
    startTime: '10:00',
    lengthMinutes: 60,
    from: monday.toString(),
    until: monday.add({ days: 6 }).toString(),
    subject: 'Algebra',
  });
  await post('/api/teacher/slots/recurring', {
    days: [2, 4],
    startTime: '15:30',
    lengthMinutes: 45,
    from: monday.toString(),
    until: monday.add({ days: 6 }).toString(),
    subject: 'Geometry',
  });
  for (const [name, email] of [
    ['Ada Lin', 'ada@example.test'],
    ['Bruno Díaz', 'bruno@example.test'],
  ] as const) {
    const added = (await post('/api/teacher/students', { name, email })) as { student: { id: string } };
    const linked = (await post(`/api/teacher/students/${added.student.id}/share-link`, {})) as {
      link: { url: string };
    };
    const token = new URL(linked.link.url).pathname.split('/').at(-1)!;
    const calendar = (await (await fetch(`${stack.appUrl}/api/booking/${token}/calendar`)).json()) as {
      slots: { id: string; bookable: boolean }[];
    };
    const slot = calendar.slots.filter((s) => s.bookable)[name === 'Ada Lin' ? 0 : 3];
    if (slot)
      await post(
        `/api/booking/${token}/book`,
        { slotId: slot.id },
        { origin: stack.appUrl, 'content-type': 'application/json' },
      );
  }
  const cookie = teacher.cookie.split('=');
  for (const width of [390, 1280]) {
    const context = await browser.newContext({
      viewport: { width, height: width === 390 ? 844 : 800 },
      locale: 'en-GB',
      timezoneId: 'Europe/Berlin',
    });
    const page = await context.newPage();
    const shot = async (name: string, target: Page = page) => {
      await target.screenshot({ path: join(outDir, `${name}-${width}.png`), fullPage: true });
    };
    await page.goto(`${stack.appUrl}/`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await shot('landing');
    await page.goto(`${stack.appUrl}/login`);
    await page.getByLabel('Email address').fill(`new-teacher-${width}@example.test`);
    await page.getByRole('button', { name: /Email me/ }).click();
    await page.getByText(/Check your inbox/).waitFor();
    await shot('login-sent');

    await context.addCookies([{ name: cookie[0]!, value: cookie.slice(1).join('='), url: stack.appUrl }]);
    await page.goto(`${stack.appUrl}/teacher`);
    await page.getByText('Live', { exact: true }).waitFor();
    await shot('teacher-week');
    await page.goto(`${stack.appUrl}/teacher?week=${Temporal.Now.plainDateISO('Europe/Berlin')}`);
    await page.getByText('Live', { exact: true }).waitFor();
    await shot('teacher-week-today');
    await page.goto(`${stack.appUrl}/teacher?week=${monday}`);
    await page.getByText('Live', { exact: true }).waitFor();
    await page
      .getByRole('button', { name: /Algebra/ })
      .first()
      .waitFor();
    await shot('teacher-week-slots');
    await page.getByRole('button', { name: 'New slot', exact: true }).first().click();
    await page.getByRole('dialog').waitFor();
    await shot('teacher-new-slot');
    await page.keyboard.press('Escape');
    const menu = page.getByRole('button', { name: 'Menu' });
    if (width === 390 && (await menu.count()) > 0) {
      await menu.click();
      await shot('teacher-menu');
    }
    await context.close();
  }
} finally {
  await browser.close();
  await stack.stop();
}
