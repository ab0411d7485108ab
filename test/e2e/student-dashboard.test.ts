import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import * as schema from '../../db/schema.ts';
import { db } from '../support/database.ts';
import { waitForEmail } from '../support/mailbox.ts';
import { givenSlots, givenStudent, givenTeacher } from '../support/scenario.ts';
import { mailboxUrl } from '../support/stack.ts';
import { weekParam } from '../support/time.ts';
import { DESKTOP, launchBrowser, PHONE, screenshot, a11yViolations } from '../support/browser.ts';

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await (
    await browser.newContext({ viewport: PHONE, timezoneId: 'America/New_York', locale: 'en-GB' })
  ).newPage();
});
afterAll(async () => {
  await browser?.close();
});

describe('a student books, signs in from the email and uses the dashboard', () => {
  it('books through the share link, opens the email and lands signed in on the dashboard', async () => {
    const teacher = await givenTeacher({ displayName: 'Mr Okoye', minNoticeMinutes: 60 });
    const [slot] = await givenSlots(teacher, 1, 30);
    const student = await givenStudent(teacher, { name: 'Priya' });
    const [row] = await db().select().from(schema.slots).where(eq(schema.slots.id, slot!));
    await page.goto(`${student.url}?week=${weekParam(row!.startsAt, 'America/New_York')}`);
    await page.getByRole('button', { name: /Lesson 1\s*,\s*Available/ }).click();
    await page.getByRole('button', { name: 'Confirm booking' }).click();
    await page.getByRole('dialog', { name: "You're booked" }).waitFor();

    await waitForEmail(student.email, { subjectIncludes: 'Booked' });
    await page.goto(mailboxUrl());
    await page
      .getByRole('link', { name: /Booked: Lesson 1 with Mr Okoye/ })
      .first()
      .click();
    const text = await page.locator('pre').innerText();
    expect(text).toMatch(/\(New York, Eastern (Standard |Daylight )?Time, GMT-[45]\)/);
    expect(text).not.toContain('America/New_York');
    const link = /https?:\/\/\S+\/login\/verify#token=[a-z2-7]+/.exec(text)![0];
    await page.goto(link);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/student$/);
    await page.getByRole('heading', { name: 'Hi Priya' }).waitFor();
    await page.getByRole('region', { name: 'Sessions' }).getByText('Lesson 1 with Mr Okoye').waitFor();
    expect(await a11yViolations(page)).toEqual([]);
  });

  it('saves weekly availability and finds it again after a reload', async () => {
    const section = page.getByRole('region', { name: "When you're free" });
    await section.getByRole('button', { name: 'Add a time on Tuesday' }).click();
    // A range that ends before it starts: refused beside its fields, with nothing for axe to report.
    await section.getByRole('group', { name: 'Tuesday range 1' }).getByLabel('From').fill('19:30');
    await section.getByRole('group', { name: 'Tuesday range 1' }).getByLabel('Until').fill('17:00');
    await section.getByRole('button', { name: 'Save availability' }).click();
    await section.locator('[aria-invalid="true"]').first().waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    await section.getByRole('group', { name: 'Tuesday range 1' }).getByLabel('From').fill('17:00');
    await section.getByRole('group', { name: 'Tuesday range 1' }).getByLabel('Until').fill('19:30');
    await section.getByLabel('Notes for the teachers you share with').fill('Evenings after school');
    // Another time zone, by city: Enter picks the best match instead of saving the form with the old zone.
    await section.getByLabel('Your time zone', { exact: true }).fill('lisbon');
    await section.getByRole('button', { name: /^Lisbon/ }).waitFor();
    await section.getByLabel('Your time zone', { exact: true }).press('Enter');
    await section
      .locator('#tz-current')
      .getByText(/Lisbon, /)
      .waitFor();
    expect(await section.getByText('Saved.', { exact: true }).count()).toBe(0);
    await section.getByRole('button', { name: 'Save availability' }).click();
    await section.getByText('Saved.', { exact: true }).waitFor();
    await screenshot(page, 'student-dashboard-phone');
    await page.setViewportSize(DESKTOP);
    await screenshot(page, 'student-dashboard-desktop');
    await page.reload();
    const again = page.getByRole('region', { name: "When you're free" });
    expect(await again.getByRole('group', { name: 'Tuesday range 1' }).getByLabel('From').inputValue()).toBe('17:00');
    expect(await again.getByLabel('Notes for the teachers you share with').inputValue()).toBe('Evenings after school');
    await again
      .locator('#tz-current')
      .getByText(/Lisbon, /)
      .waitFor();
  });

  it('adds the session to a calendar and cancels it from the dashboard', async () => {
    await page.setViewportSize(PHONE);
    const sessions = page.getByRole('region', { name: 'Sessions' });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      sessions.getByRole('link', { name: /^Add to calendar: Lesson 1/ }).click(),
    ]);
    const file = await download.path().then((path) => readFileSync(path, 'utf8'));
    expect(file).toContain('BEGIN:VEVENT');
    expect(file).toContain('SUMMARY:Lesson 1 with Mr Okoye');
    await sessions.getByText(/You can cancel until/).waitFor();
    await sessions.getByRole('button', { name: /^Cancel Lesson 1/ }).click();
    await sessions.getByRole('button', { name: 'Yes, cancel it' }).waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    await screenshot(page, 'student-dashboard-cancel-phone');
    // Nothing pushes the page sideways on a phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await sessions.getByRole('button', { name: 'Yes, cancel it' }).click();
    await sessions.getByText(/Canceled: Lesson 1 with Mr Okoye/).waitFor();
    await sessions.getByText('No upcoming sessions').waitFor();
    await sessions.getByRole('button', { name: 'Previous' }).click();
    await sessions.getByText('Canceled', { exact: true }).waitFor();
  });
});
