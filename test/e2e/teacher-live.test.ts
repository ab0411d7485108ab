import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Temporal } from 'temporal-polyfill';
import { waitForEmail } from '../support/mailbox.ts';
import { appUrl, mailboxUrl, uniqueEmail } from '../support/stack.ts';
import { DESKTOP, launchBrowser, PHONE, screenshot, a11yViolations } from '../support/browser.ts';

let browser: Browser;
let first: BrowserContext;
let second: BrowserContext;
let pageA: Page;
let pageB: Page;
const email = uniqueEmail('e2e-teacher');

beforeAll(async () => {
  browser = await launchBrowser();
  first = await browser.newContext({ viewport: DESKTOP, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
  pageA = await first.newPage();
});
afterAll(async () => {
  await browser?.close();
});

/** The week in which "tomorrow" falls, so created slots are visible without navigating. */
const tomorrow = () => Temporal.Now.plainDateISO('Europe/Berlin').add({ days: 1 });

describe('a teacher signs in and publishes slots that every open view sees live', () => {
  it('asks for a sign-in link', async () => {
    await pageA.goto(`${appUrl()}/login`);
    await pageA.getByRole('heading', { level: 1 }).waitFor();
    expect(await a11yViolations(pageA)).toEqual([]);
    await pageA.getByLabel('Email address').fill(email);
    await pageA.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await pageA.getByText('Check your inbox.').waitFor();
  });

  it('opens the link from the dev mailbox and lands on an empty week', async () => {
    await waitForEmail(email); // the queue delivers a moment after the request
    const mailbox = await first.newPage();
    await mailbox.goto(mailboxUrl());
    await mailbox
      .getByRole('link', { name: new RegExp(`To ${email}`) })
      .first()
      .click();
    const text = await mailbox.locator('pre').innerText();
    const link = /https?:\/\/\S+\/login\/verify#token=[a-z2-7]+/.exec(text)?.[0];
    expect(link).toBeTruthy();
    await mailbox.close();

    await pageA.goto(link!);
    // The token leaves the address bar before anything else happens.
    await pageA.getByRole('button', { name: 'Create account and sign in' }).waitFor();
    expect(pageA.url()).not.toContain('token=');
    // A new address: the page says an account will be made, and for which address.
    await pageA.getByText(`This creates a Slotcast teacher account for ${email}`).waitFor();
    await pageA.getByRole('button', { name: 'Create account and sign in' }).click();
    await pageA.waitForURL(/\/teacher/);
    await pageA.getByRole('heading', { name: 'Your week' }).waitFor();
    await pageA
      .getByText('No slots this week yet.')
      .or(pageA.getByText('No slots', { exact: true }).first())
      .first()
      .waitFor();
    await pageA.getByText('Live', { exact: true }).waitFor();
    expect(await a11yViolations(pageA)).toEqual([]);
  });

  it("shows a slot created in one window in another window's view without a reload", async () => {
    second = await browser.newContext({
      viewport: PHONE,
      timezoneId: 'Europe/Berlin',
      locale: 'en-GB',
      storageState: await first.storageState(),
    });
    pageB = await second.newPage();
    const week = tomorrow().subtract({ days: tomorrow().dayOfWeek - 1 });
    await Promise.all([pageA.goto(`${appUrl()}/teacher?week=${week}`), pageB.goto(`${appUrl()}/teacher?week=${week}`)]);
    await pageB.getByText('Live', { exact: true }).waitFor();
    await pageA.getByText('Live', { exact: true }).waitFor();

    await pageA.getByRole('button', { name: 'New slot' }).click();
    const dialog = pageA.getByRole('dialog', { name: 'New slot' });
    await dialog.getByLabel('Date').fill(tomorrow().toString());
    await dialog.getByLabel('Start time').fill('10:00');
    await dialog.getByLabel('Length (minutes)').fill('45');
    await dialog.getByLabel(/Subject/).fill('Organic chemistry');
    expect(await a11yViolations(pageA)).toEqual([]);
    await dialog.getByRole('button', { name: 'Create slot' }).click();
    await pageA.getByRole('button', { name: /10:00\s*to\s*10:45\s*,\s*Organic chemistry\s*,\s*Open/ }).waitFor();

    await pageB
      .getByRole('button', { name: /10:00\s*to\s*10:45\s*,\s*Organic chemistry\s*,\s*Open/ })
      .waitFor({ timeout: 10_000 });
    expect(await a11yViolations(pageB)).toEqual([]);
    await screenshot(pageB, 'teacher-week-phone');
    await screenshot(pageA, 'teacher-week-desktop');
  });

  it('refuses an overlapping slot in the form and creates nothing', async () => {
    await pageA.getByRole('button', { name: 'New slot' }).click();
    const dialog = pageA.getByRole('dialog', { name: 'New slot' });
    await dialog.getByLabel('Date').fill(tomorrow().toString());
    await dialog.getByLabel('Start time').fill('10:30');
    await dialog.getByRole('button', { name: 'Create slot' }).click();
    await dialog
      .getByRole('alert')
      .getByText(/overlap/)
      .waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await pageA.getByRole('button', { name: /Organic chemistry/ }).count()).toBe(1);
  });

  it('creates weekly slots that appear in the other window too', async () => {
    await pageA.getByRole('button', { name: 'Repeat weekly' }).click();
    const dialog = pageA.getByRole('dialog', { name: 'Repeat weekly' });
    const day = tomorrow().dayOfWeek;
    await dialog.getByRole('checkbox', { name: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][day - 1] }).check();
    await dialog.getByLabel('From').fill(tomorrow().toString());
    await dialog.getByLabel('Until').fill(tomorrow().add({ weeks: 3 }).toString());
    await dialog.getByLabel('Start time').fill('15:00');
    await dialog.getByLabel('Length (minutes)').fill('60');
    await dialog.getByLabel(/Subject/).fill('Piano');
    await dialog.getByRole('button', { name: 'Create slots' }).click();
    await pageA.getByRole('button', { name: /15:00\s*to\s*16:00\s*,\s*Piano/ }).waitFor();
    await pageB.getByRole('button', { name: /15:00\s*to\s*16:00\s*,\s*Piano/ }).waitFor({ timeout: 10_000 });
    // Next week has its occurrence too.
    await pageB.getByRole('button', { name: /Next week/ }).click();
    await pageB.getByRole('button', { name: /15:00\s*to\s*16:00\s*,\s*Piano/ }).waitFor();
    await pageB.getByRole('button', { name: /Previous week/ }).click();
  });

  it('cancels a slot in one window and it disappears from the other', async () => {
    await pageB.getByRole('button', { name: /Organic chemistry/ }).click();
    const dialog = pageB.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Cancel slot' }).click();
    await dialog.getByRole('button', { name: 'Yes, cancel slot' }).click();
    await pageB.getByRole('button', { name: /Organic chemistry/ }).waitFor({ state: 'detached' });
    await pageA.getByRole('button', { name: /Organic chemistry/ }).waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('saves booking rules on the settings page', async () => {
    await pageA.goto(`${appUrl()}/teacher/settings`);
    // Booking rules read in hours and days: a 12-hour notice is "12 hours", not 720 minutes.
    expect(await pageA.getByLabel('Minimum notice', { exact: true }).inputValue()).toBe('12');
    expect(await pageA.getByLabel('Minimum notice: unit').inputValue()).toBe('hours');
    // A refused value: its message once, beside the field, which is marked for assistive technology.
    await pageA.getByLabel('Buffer between slots', { exact: true }).fill('5');
    await pageA.getByLabel('Buffer between slots: unit').selectOption('hours');
    await pageA.getByRole('button', { name: 'Save rules' }).click();
    const buffer = pageA.getByLabel('Buffer between slots', { exact: true });
    await expect.poll(() => buffer.getAttribute('aria-invalid')).toBe('true');
    expect(await pageA.getByText('The buffer is at most 4 hours.').count()).toBe(1);
    expect(await buffer.getAttribute('aria-describedby')).toContain('bufferMinutes-error');
    expect(await pageA.locator('#bufferMinutes-error').textContent()).toBe('The buffer is at most 4 hours.');
    expect(await pageA.getByRole('alert').count()).toBe(0);
    await pageA.getByLabel('Buffer between slots: unit').selectOption('minutes');
    await buffer.fill('10');
    expect(await a11yViolations(pageA)).toEqual([]);
    // The time zone is found by a readable name and picked from the matches; focus stays in the search box.
    const zone = pageA.getByLabel('Time zone', { exact: true });
    await zone.fill('india');
    const kolkata = pageA.getByRole('list', { name: 'Time zones' }).getByRole('button', { name: /Kolkata/ });
    await kolkata.waitFor();
    expect(await a11yViolations(pageA)).toEqual([]);
    await kolkata.click();
    const shownZone = pageA.locator('#timeZone-current');
    await shownZone.getByText('Kolkata, India Standard Time, GMT+5:30').waitFor();
    expect(await zone.evaluate((box) => box === document.activeElement)).toBe(true);
    expect(await zone.inputValue()).toBe('');
    await pageA.getByRole('button', { name: 'Save rules' }).click();
    await pageA.getByText('Saved.').waitFor();
    await pageA.reload();
    expect(await pageA.getByLabel('Buffer between slots', { exact: true }).inputValue()).toBe('10');
    expect(await pageA.getByLabel('Buffer between slots: unit').inputValue()).toBe('minutes');
    await shownZone.getByText('Kolkata, India Standard Time, GMT+5:30').waitFor();
    // Saved under today's IANA name, as the API keeps it.
    const saved = await pageA.evaluate(() => fetch('/api/teacher/settings').then((r) => r.json()));
    expect((saved as { timeZone: string }).timeZone).toBe('Asia/Kolkata');
    await screenshot(pageA, 'teacher-settings-desktop');
  });

  it('signs out, and the calendar then asks to sign in again', async () => {
    await pageA.getByRole('button', { name: 'Sign out' }).click();
    await pageA.waitForURL(/\/login/);
    await pageA.goto(`${appUrl()}/teacher`);
    await pageA.waitForURL(/\/login/);
  });
});
