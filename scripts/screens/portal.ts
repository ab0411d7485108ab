/**
 * Screenshots of the student's booking page (the share-link portal) in each of its states, at phone (390 px)
 * and desktop (1280 px) width, against a fresh local stack: `node scripts/screens/portal.ts [outDir]` (default
 * docs/screens). Files are `portal-<state>-<width>.png`. Set SLOTCAST_SKIP_BUILD=1 to reuse web/build.
 */
import { join } from 'node:path';
import type { Page, Route } from 'playwright-core';
import { createTeacherSession } from '../../test/support/teacher-session.ts';
import { launchBrowser } from '../../test/support/browser.ts';
import { screensSetup } from './setup.ts';

const { outDir, stack, database } = await screensSetup({ testClock: true });
const HOUR = 3_600_000;

async function teacherWith(displayName: string, slotStarts: number[]) {
  const teacher = await createTeacherSession(database, {
    displayName,
    minNoticeMinutes: 60,
    timeZone: 'Europe/Berlin',
  });
  const headers = { origin: stack.appUrl, cookie: teacher.cookie, 'content-type': 'application/json' };
  const post = async (path: string, body: unknown) => {
    const response = await fetch(stack.appUrl + path, { method: 'POST', headers, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<Record<string, unknown>>;
  };
  const subjects = ['Geometry', 'Algebra', 'Physics'];
  for (const [i, start] of slotStarts.entries())
    await post('/api/teacher/slots', {
      start: new Date(start).toISOString().slice(0, 19) + 'Z',
      lengthMinutes: 60,
      subject: subjects[i % subjects.length],
    });
  const student = async (name: string, email: string) => {
    const added = (await post('/api/teacher/students', { name, email })) as { student: { id: string } };
    const link = async () =>
      ((await post(`/api/teacher/students/${added.student.id}/share-link`, {})) as { link: { url: string } }).link.url;
    return {
      url: await link(),
      regenerate: link,
      revoke: () => post(`/api/teacher/students/${added.student.id}/share-link/revoke`, {}),
    };
  };
  return { student };
}

const wholeHour = (ms: number) => Math.floor(ms / HOUR) * HOUR;
const now = Date.now();
// Slots over the coming days (some this week, most next), and a teacher whose slots start three weeks out.
const soon = Array.from({ length: 12 }, (_, i) => wholeHour(now) + (26 + Math.floor(i / 3) * 24 + (i % 3) * 2) * HOUR);
const later = Array.from(
  { length: 6 },
  (_, i) => wholeHour(now) + (21 * 24 + Math.floor(i / 2) * 24 + (i % 2) * 3) * HOUR,
);
const busy = await teacherWith('Ms Rivera', soon);
const quiet = await teacherWith('Mr Osei', later);
const ada = await busy.student('Ada Lin', 'ada-screens@example.test');
const ben = await busy.student('Ben Okafor', 'ben-screens@example.test');
const cam = await quiet.student('Cam Diaz', 'cam-screens@example.test');

const browser = await launchBrowser();
const widths = [390, 1280] as const;
const shot = (page: Page, name: string, width: number) =>
  page.screenshot({ path: join(outDir, `portal-${name}-${width}.png`), fullPage: true });
const firstScreen = (page: Page, name: string, width: number) =>
  page.screenshot({ path: join(outDir, `portal-${name}-${width}.png`) });

async function open(width: number, url: string, hold?: (page: Page) => Promise<unknown>, at?: number) {
  const context = await browser.newContext({
    viewport: { width, height: width < 600 ? 844 : 800 },
    locale: 'en-GB',
    timezoneId: 'Asia/Kolkata',
    // The Worker's clock for this browser's requests (a test stack honours it).
    ...(at ? { extraHTTPHeaders: { 'x-slotcast-now': String(at) } } : {}),
  });
  const page = await context.newPage();
  await hold?.(page);
  await page.goto(url);
  return page;
}
const loaded = (page: Page) =>
  page
    .getByRole('heading', { name: /Book a session|Book with/ })
    .first()
    .waitFor();
const firstFree = (page: Page) => page.getByRole('button', { name: /Available/ }).first();

try {
  for (const width of widths) {
    // Loading: the calendar read is held until the shot is taken.
    let release: (() => void) | undefined;
    const loading = await open(width, ada.url, (page) =>
      page.route('**/api/booking/*/calendar**', (route: Route) => {
        release = () => void route.continue();
      }),
    );
    await loading
      .getByText(/Loading/)
      .first()
      .waitFor();
    await firstScreen(loading, 'loading', width);
    release?.();
    await loading.context().close();

    const page = await open(width, ada.url);
    await loaded(page);
    await page.getByText('Live', { exact: true }).waitFor();
    await shot(page, 'first-screen', width);
    await firstScreen(page, 'viewport', width);
    // A week with free times.
    if ((await firstFree(page).count()) === 0) {
      const next = page.getByRole('button', { name: /Next/ }).first();
      await next.click();
      await firstFree(page).waitFor();
    }
    await shot(page, 'week', width);
    await firstFree(page).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await firstScreen(page, 'booking-dialog', width);
    // A booking that fails: the network is gone when Confirm is pressed.
    await page.context().setOffline(true);
    await dialog.getByRole('button', { name: /Confirm/ }).click();
    await dialog.getByRole('alert').waitFor();
    await firstScreen(page, 'booking-failed', width);
    await page.context().setOffline(false);
    const again = dialog.getByRole('button', { name: /Confirm|Try again/ });
    if (await again.isEnabled()) {
      await again.click();
      await page.getByRole('dialog', { name: /booked/i }).waitFor();
      await firstScreen(page, 'booked', width);
      await page.getByRole('button', { name: 'Done' }).click();
      const mine = page.getByRole('region', { name: 'My bookings' });
      await mine.getByRole('button', { name: /Cancel the session/ }).waitFor();
      await mine.scrollIntoViewIfNeeded();
      await firstScreen(page, 'my-bookings', width);
      await mine.getByRole('button', { name: /Cancel the session/ }).click();
      await mine.getByRole('button', { name: 'Yes, cancel it' }).click();
      await mine.getByText(/Canceled your session/).waitFor();
      await firstScreen(page, 'canceled', width);
    }
    const zoneButton = page.getByRole('button', { name: 'Change time zone' });
    if (await zoneButton.count()) {
      await page.evaluate(() => window.scrollTo(0, 0));
      await zoneButton.click();
      await page
        .getByRole('dialog')
        .getByLabel(/Search/)
        .fill('new york');
      await firstScreen(page, 'time-zone', width);
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
      // Past the teacher's horizon.
      const next = page.getByRole('button', { name: /Next/ }).first();
      while (await next.isEnabled()) await next.click();
      await page.getByText(/nothing\s+can\s+be\s+booked\s+this\s+far\s+ahead/).waitFor();
      await firstScreen(page, 'beyond-horizon', width);
    }
    await page.context().close();

    // The calendar can't be read (the network fails on the first read).
    let failed = false;
    const failing = await open(width, ada.url, (p) =>
      p.route('**/api/booking/*/calendar**', (route: Route) => {
        if (failed) return route.continue();
        failed = true;
        return route.abort('internetdisconnected');
      }),
    );
    await failing.getByRole('alert').first().waitFor();
    await firstScreen(failing, 'load-failed', width);
    await failing.context().close();

    // Reconnecting: the live connection drops (a deploy, a lost network) and is refused for a while.
    let refuse = false;
    const reconnecting = await open(width, ben.url, (p) =>
      p.routeWebSocket(/\/api\/live\//, (ws) => {
        if (refuse) return ws.close();
        ws.connectToServer();
        setTimeout(() => {
          refuse = true;
          ws.close({ code: 1001, reason: 'going away' });
        }, 1500);
      }),
    );
    await loaded(reconnecting);
    await reconnecting.getByText('Reconnecting…').waitFor({ timeout: 15_000 });
    await firstScreen(reconnecting, 'reconnecting', width);
    await reconnecting.context().close();

    // Nothing free this week or the next: the student of a teacher whose slots start three weeks out.
    const empty = await open(width, cam.url);
    await loaded(empty);
    await shot(empty, 'later-weeks', width);
    await empty.context().close();
  }

  // Dead links, each for its own reason.
  const replacedUrl = ben.url;
  await ben.regenerate();
  const cases: [string, string, number?][] = [['link-replaced', replacedUrl]];
  const revoked = await busy.student('Dee Park', 'dee-screens@example.test');
  await revoked.revoke();
  cases.push(['link-revoked', revoked.url]);
  const expiring = await busy.student('Eli Moss', 'eli-screens@example.test');
  cases.push(['link-expired', expiring.url, now + 400 * 24 * HOUR]);
  cases.push(['link-unknown', expiring.url.replace(/.{4}$/, 'aaaa')]);
  for (const width of widths)
    for (const [name, url, at] of cases) {
      const page = await open(width, url, undefined, at);
      await page.getByRole('heading', { name: /link/i }).first().waitFor();
      await firstScreen(page, name, width);
      await page.context().close();
    }
} finally {
  await browser.close();
  await stack.stop();
}
console.log(`Screenshots in ${outDir}`);
