/**
 * Screenshots of the signed-in pages besides the week and the portal, with their dialogs and a refused form, at
 * phone (390 px) and desktop (1280 px) width, against a fresh local stack: `node scripts/screens/dashboards.ts
 * [outDir]` (default docs/screens). The student's dashboard (`student-dashboard`, its cancel question
 * `student-cancel`, a refused availability range `student-availability-error`), the teacher's bookings list
 * (`teacher-bookings`, `teacher-cancel-dialog`, `teacher-move-dialog`) and settings (`teacher-settings`, its time-zone
 * search `teacher-settings-zone`, a refused name `teacher-settings-error`). It only drives pages a person could, so the same script takes the "before"
 * shots on an older checkout. Set SLOTCAST_SKIP_BUILD=1 to reuse web/build.
 */
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { Temporal } from 'temporal-polyfill';
import type { Browser, Page } from 'playwright-core';
import * as schema from '../../db/schema.ts';
import { createSessionFor, createTeacherSession } from '../../test/support/teacher-session.ts';
import { launchBrowser } from '../../test/support/browser.ts';
import { screensSetup } from './setup.ts';

const { outDir, stack, database } = await screensSetup();

/** Next week's Wednesday at `hour`:00 UTC: always ahead, whatever today is. */
function nextWednesdayAt(hour: number): string {
  const today = Temporal.Now.plainDateISO('UTC');
  const wednesday = today.add({ days: 7 - today.dayOfWeek + 3 });
  return wednesday.toZonedDateTime({ timeZone: 'UTC', plainTime: Temporal.PlainTime.from({ hour }) }).toString({
    timeZoneName: 'never',
    offset: 'never',
    smallestUnit: 'second',
  });
}

async function scenario() {
  const teacher = await createTeacherSession(database, {
    displayName: 'Ms Hopper',
    minNoticeMinutes: 60,
    timeZone: 'Europe/Berlin',
  });
  const request = async (path: string, body: unknown, cookie?: string) => {
    const headers: Record<string, string> = { origin: stack.appUrl, 'content-type': 'application/json' };
    if (cookie) headers.cookie = cookie;
    const response = await fetch(stack.appUrl + path, { method: 'POST', headers, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<Record<string, unknown>>;
  };
  const slotIds: string[] = [];
  for (const [hour, subject] of [
    [9, 'Algebra'],
    [13, 'Geometry'],
    [16, 'Physics'],
  ] as const) {
    const created = (await request(
      '/api/teacher/slots',
      { start: `${nextWednesdayAt(hour)}Z`, lengthMinutes: 60, subject },
      teacher.cookie,
    )) as { slots: { id: string }[] };
    slotIds.push(created.slots[0]!.id);
  }
  const people = [
    ['Ada Lovelace', 'ada@example.test'],
    ['Bruno Díaz', 'bruno@example.test'],
  ] as const;
  for (const [i, [name, email]] of people.entries()) {
    const added = (await request('/api/teacher/students', { name, email }, teacher.cookie)) as {
      student: { id: string };
    };
    const linked = (await request(`/api/teacher/students/${added.student.id}/share-link`, {}, teacher.cookie)) as {
      link: { url: string };
    };
    const token = new URL(linked.link.url).pathname.split('/').at(-1)!;
    await request(`/api/booking/${token}/book`, { slotId: slotIds[i], timeZone: 'America/New_York' });
  }
  const [ada] = await database.select().from(schema.users).where(eq(schema.users.email, 'ada@example.test'));
  return { teacherCookie: teacher.cookie, studentCookie: await createSessionFor(database, ada!.id) };
}

/** A page signed in with `cookie` at `width`, in a New York student's or a Berlin teacher's time zone. */
async function signedIn(browser: Browser, cookie: string, width: number, timezoneId: string) {
  const context = await browser.newContext({
    viewport: { width, height: width === 390 ? 844 : 800 },
    locale: 'en-GB',
    timezoneId,
    isMobile: width === 390,
    hasTouch: width === 390,
  });
  const eq = cookie.indexOf('=');
  await context.addCookies([{ name: cookie.slice(0, eq), value: cookie.slice(eq + 1), url: stack.appUrl }]);
  return context.newPage();
}

/** Takes one shot; a step an older checkout can't do is reported and skipped, so the rest still come out. */
async function shot(page: Page, name: string, width: number, steps: () => Promise<unknown>) {
  try {
    await steps();
    await page.screenshot({ path: join(outDir, `${name}-${width}.png`), fullPage: true });
  } catch (error) {
    console.warn(`${name}-${width}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
}

const browser = await launchBrowser();
try {
  const { teacherCookie, studentCookie } = await scenario();
  for (const width of [390, 1280]) {
    const student = await signedIn(browser, studentCookie, width, 'America/New_York');
    const sessions = student.getByRole('region', { name: 'Sessions' });
    const free = student.getByRole('region', { name: "When you're free" });
    await shot(student, 'student-dashboard', width, async () => {
      await student.goto(`${stack.appUrl}/student`);
      await sessions.getByText('with Ms Hopper').first().waitFor();
      await free.getByRole('button', { name: 'Add a time on Tuesday' }).waitFor();
    });
    await shot(student, 'student-cancel', width, async () => {
      await sessions
        .getByRole('button', { name: /^Cancel / })
        .first()
        .click();
      await sessions.getByRole('button', { name: 'Yes, cancel it' }).waitFor();
    });
    await shot(student, 'student-availability-error', width, async () => {
      await student.reload();
      await free.getByRole('button', { name: 'Add a time on Tuesday' }).click();
      const range = free.getByRole('group', { name: 'Tuesday range 1' });
      await range.getByLabel('From').fill('19:30');
      await range.getByLabel('Until').fill('17:00');
      await free.getByRole('button', { name: 'Save availability' }).click();
      await free.locator('.error, [role="alert"]').first().waitFor();
      await free.scrollIntoViewIfNeeded();
    });
    await student.context().close();

    const teacher = await signedIn(browser, teacherCookie, width, 'Europe/Berlin');
    await shot(teacher, 'teacher-bookings', width, async () => {
      await teacher.goto(`${stack.appUrl}/teacher/bookings`);
      await teacher.getByText('Bruno Díaz', { exact: true }).first().waitFor();
    });
    for (const [action, name] of [
      ['Cancel', 'teacher-cancel-dialog'],
      ['Move', 'teacher-move-dialog'],
    ] as const)
      await shot(teacher, name, width, async () => {
        // From a fresh list, so the other dialog isn't still open over it.
        await teacher.goto(`${stack.appUrl}/teacher/bookings`);
        await teacher.getByRole('button', { name: `${action} Ada Lovelace's session` }).click();
        await teacher.getByRole('dialog').waitFor();
        // Let the dialog's own reads (the move dialog's free times) arrive.
        await teacher.waitForLoadState('networkidle');
      });
    await shot(teacher, 'teacher-settings', width, async () => {
      await teacher.goto(`${stack.appUrl}/teacher/settings`);
      await teacher.getByLabel('Your name, as students see it').waitFor();
      await teacher.waitForLoadState('networkidle');
    });
    await shot(teacher, 'teacher-settings-zone', width, async () => {
      await teacher.getByLabel('Time zone', { exact: true }).fill('kolk');
      await teacher.getByRole('button', { name: /Kolkata/ }).waitFor();
    });
    await shot(teacher, 'teacher-settings-error', width, async () => {
      await teacher.reload();
      await teacher.getByLabel('Your name, as students see it').fill('');
      await teacher.getByRole('button', { name: /^Save/ }).first().click();
      await teacher.locator('.error, [role="alert"]').first().waitFor();
    });
    await teacher.context().close();
  }
} finally {
  await browser.close();
  await stack.stop();
}
