import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import * as schema from '../../db/schema.ts';
import { db } from '../support/database.ts';
import { givenSlots, givenStudent, givenTeacher } from '../support/scenario.ts';
import { appUrl, uniqueEmail } from '../support/stack.ts';
import { weekParam } from '../support/time.ts';
import { DESKTOP, launchBrowser, PHONE, screenshot, a11yViolations } from '../support/browser.ts';

let browser: Browser;
const contexts: BrowserContext[] = [];
let teacher: Awaited<ReturnType<typeof givenTeacher>>;
let ada: Awaited<ReturnType<typeof givenStudent>>;
let ben: Awaited<ReturnType<typeof givenStudent>>;
let slotIds: string[];

async function open(viewport: { width: number; height: number }, timezoneId: string, cookie?: string): Promise<Page> {
  const context = await browser.newContext({ viewport, timezoneId, locale: 'en-GB' });
  contexts.push(context);
  if (cookie) {
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: appUrl() }]);
  }
  return context.newPage();
}

beforeAll(async () => {
  browser = await launchBrowser();
  teacher = await givenTeacher({ displayName: 'Ms Rivera', minNoticeMinutes: 60 });
  slotIds = await givenSlots(teacher, 3, 50);
  ada = await givenStudent(teacher, { name: 'Ada Lin' });
  ben = await givenStudent(teacher, { name: 'Ben Okafor' });
});
afterAll(async () => {
  await browser?.close();
});

describe('students book through their links while everyone watches live', () => {
  let adaPage: Page;
  let benPage: Page;
  let teacherPage: Page;

  it('shows each student the week in their own time zone, with the teacher’s noted', async () => {
    const [first] = await db().select().from(schema.slots).where(eq(schema.slots.id, slotIds[0]!));
    const week = (timeZone: string) => weekParam(first!.startsAt, timeZone);
    adaPage = await open(PHONE, 'America/New_York');
    benPage = await open(DESKTOP, 'Asia/Tokyo');
    teacherPage = await open(DESKTOP, 'Europe/Berlin', teacher.cookie);
    await Promise.all([
      adaPage.goto(`${ada.url}?week=${week('America/New_York')}`),
      benPage.goto(`${ben.url}?week=${week('Asia/Tokyo')}`),
      teacherPage.goto(`${appUrl()}/teacher?week=${week('Europe/Berlin')}`),
    ]);
    await adaPage.getByRole('heading', { name: 'Book a session with Ms Rivera' }).waitFor();
    await adaPage.getByText('New York', { exact: true }).first().waitFor();
    await adaPage.getByText('Ms Rivera is in Berlin', { exact: false }).waitFor();
    for (const page of [adaPage, benPage, teacherPage]) await page.getByText('Live', { exact: true }).waitFor();
    expect(await adaPage.getByRole('button', { name: /Lesson 1\s*,\s*Available/ }).count()).toBe(1);
    expect(await a11yViolations(adaPage)).toEqual([]);
    expect(await a11yViolations(benPage)).toEqual([]);
  });

  it('books a slot for Ada; Ben sees it turn booked and the teacher sees Ada’s name, without reloading', async () => {
    await adaPage.getByRole('button', { name: /Lesson 1\s*,\s*Available/ }).click();
    const dialog = adaPage.getByRole('dialog', { name: 'Book this time?' });
    await dialog.getByText('For Ms Rivera').waitFor();
    await dialog.getByRole('button', { name: 'Confirm booking' }).click();
    await adaPage.getByRole('dialog', { name: "You're booked" }).waitFor();
    await adaPage.getByRole('button', { name: 'Done' }).click();
    await adaPage.getByRole('button', { name: /Lesson 1\s*,\s*Your booking/ }).waitFor();
    await adaPage.getByRole('region', { name: 'My bookings' }).getByText('Lesson 1').waitFor();

    await benPage
      .locator('.slot.booked.inert', { hasText: 'Lesson 1' })
      .getByText('Booked', { exact: true })
      .waitFor({ timeout: 10_000 });
    expect(await benPage.getByText('Ada').count()).toBe(0);
    const booked = teacherPage.getByRole('button', { name: /Lesson 1\s*,\s*Booked by Ada Lin/ });
    await booked.waitFor({ timeout: 10_000 });
    expect(await booked.evaluate((el) => getComputedStyle(el).getPropertyValue('--student').trim())).toBe(ada.color);
    await screenshot(adaPage, 'portal-phone');
    await screenshot(benPage, 'portal-desktop');
    await screenshot(teacherPage, 'teacher-week-with-booking');
  });

  it('tells Ben the slot was just taken if he tries it from a stale view', async () => {
    // Ben's page is live, so the slot is no longer offered; the server would refuse it anyway.
    expect(await benPage.getByRole('button', { name: /Lesson 1/ }).count()).toBe(0);
    const response = await benPage.evaluate(
      async ([token, slotId]) => {
        const r = await fetch(`/api/booking/${token}/book`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ slotId }),
        });
        return { status: r.status, body: (await r.json()) as { error: { message: string } } };
      },
      [ben.token, slotIds[0]!] as const,
    );
    expect(response.status).toBe(409);
    expect(response.body.error.message).toMatch(/just booked/);
  });

  it('lets Ada cancel within the window, and the slot comes back for Ben', async () => {
    const mine = adaPage.getByRole('region', { name: 'My bookings' });
    await mine.getByRole('button', { name: /Cancel the session/ }).click();
    // One tap only asks; nothing is canceled until the student confirms.
    await mine.getByRole('button', { name: 'Keep it' }).waitFor();
    await mine.getByRole('button', { name: 'Yes, cancel it' }).click();
    await mine.getByText('No upcoming sessions').waitFor();
    await benPage.getByRole('button', { name: /Lesson 1\s*,\s*Available/ }).waitFor({ timeout: 10_000 });
  });

  it('shows a friendly page, and nothing of the calendar, for an expired link', async () => {
    await db()
      .update(schema.shareLinks)
      .set({ expiresAt: Date.now() - 1000 })
      .where(eq(schema.shareLinks.id, ben.linkId));
    await benPage.reload();
    await benPage.getByRole('heading', { name: 'This link has expired' }).waitFor();
    expect(await benPage.getByText('Lesson').count()).toBe(0);
    expect(await a11yViolations(benPage)).toEqual([]);
    await screenshot(benPage, 'portal-expired');
  });

  it('lets the teacher add a student and share a link with a QR code', async () => {
    await teacherPage.goto(`${appUrl()}/teacher/students`);
    await teacherPage.getByRole('rowheader', { name: /Ada Lin/ }).waitFor();
    // With students listed, the add form is folded away under its heading.
    await teacherPage.getByRole('heading', { name: 'Add a student' }).click();
    await teacherPage.getByLabel('Name').fill('Cam Diaz');
    await teacherPage.getByLabel('Email').fill(uniqueEmail('cam'));
    await teacherPage.getByRole('button', { name: 'Add student' }).click();
    await teacherPage.getByRole('rowheader', { name: /Cam Diaz/ }).waitFor();
    expect(await a11yViolations(teacherPage)).toEqual([]);
    await teacherPage.getByRole('button', { name: 'Create link for Cam Diaz' }).click();
    const dialog = teacherPage.getByRole('dialog', { name: 'Booking link for Cam Diaz' });
    await dialog.getByRole('button', { name: 'Create link' }).click();
    await dialog.getByRole('img', { name: 'QR code of the booking link' }).waitFor();
    const url = await dialog.getByLabel('Personal link').inputValue();
    expect(url).toMatch(new RegExp(`/book/${teacher.id}/[a-z2-7]{32}$`));
    expect(await a11yViolations(teacherPage)).toEqual([]);
    await screenshot(teacherPage, 'teacher-share-dialog');
  });

  it('lets the teacher rename a student and change their color', async () => {
    // The link's dialog is still open; its heading follows the new name.
    const dialog = teacherPage.getByRole('dialog');
    await dialog.getByText('Edit or remove Cam Diaz').click();
    const form = dialog.getByRole('form', { name: 'Edit Cam Diaz' });
    await form.getByLabel('Name').fill('Camila Diaz');
    await form.getByLabel('Color').fill('#7c3aed');
    await form.getByRole('button', { name: 'Save student' }).click();
    await dialog.getByText('Camila Diaz saved.').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await teacherPage.getByRole('rowheader', { name: /Camila Diaz/ }).waitFor();
    const rows = await db().select().from(schema.students).where(eq(schema.students.name, 'Camila Diaz'));
    expect(rows[0]!.color).toBe('#7c3aed');
  });

  it('loads nothing from third parties and sends no referrer from the portal', async () => {
    const page = await open(PHONE, 'Europe/Berlin');
    const origins = new Set<string>();
    page.on('request', (request) => origins.add(new URL(request.url()).origin));
    const response = await page.goto(ada.url);
    await page.getByRole('heading', { name: /Book a session/ }).waitFor();
    expect([...origins]).toEqual([new URL(appUrl()).origin]);
    expect(response!.headers()['referrer-policy']).toBe('no-referrer');
    expect(response!.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    // Scripts and the rest are governed by the <meta> policy SvelteKit writes with the bootstrap's hash.
    const meta = await page.locator('meta[http-equiv="content-security-policy"]').getAttribute('content');
    expect(meta).toContain("default-src 'self'");
    expect(meta).not.toMatch(/script-src[^;]*unsafe-inline/);
  });
});
