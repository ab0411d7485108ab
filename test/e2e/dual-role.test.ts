import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { waitForEmail } from '../support/mailbox.ts';
import { appUrl } from '../support/stack.ts';
import { givenSlots, givenStudent, givenTeacher } from '../support/scenario.ts';
import { DESKTOP, launchBrowser, newContext, pageErrors, a11yViolations } from '../support/browser.ts';

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await (await newContext(browser, { viewport: DESKTOP, timezoneId: 'Europe/Lisbon' })).newPage();
});
afterAll(async () => {
  await browser?.close();
});

describe('one person, both roles', () => {
  it('a student whose account a booking made signs up as a teacher and then has both areas', async () => {
    const errors = pageErrors(page);
    const teacher = await givenTeacher({ displayName: 'Ms Aalto' });
    const [slot] = await givenSlots(teacher, 1, 60);
    const student = await givenStudent(teacher, { name: 'Noor' });
    expect((await student.portal.book(slot!)).status).toBe(201);

    // From the sign-in page, saying she wants to teach.
    await page.goto(`${appUrl()}/login?teach`);
    await page.getByLabel('Email address').fill(student.email);
    expect(await page.getByLabel('I want to teach with Slotcast').isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.getByText('Check your inbox.').waitFor();
    const email = await waitForEmail(student.email, { subjectIncludes: 'Create your Slotcast account' });
    const link = /https?:\/\/\S+\/login\/verify#token=[a-z2-7]+/.exec(email.text)![0];
    await page.goto(link);
    await page.getByRole('button', { name: 'Create account and sign in' }).click();

    // The teacher area, with the student's in the same header.
    await page.waitForURL(/\/teacher$/);
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const name of ['Calendar', 'Students', 'Settings', 'My sessions'])
      await nav.getByRole('link', { name }).waitFor();

    await nav.getByRole('link', { name: 'My sessions' }).click();
    await page.waitForURL(/\/student$/);
    await page.getByRole('region', { name: 'Sessions' }).getByText('Lesson 1 with Ms Aalto').waitFor();
    const sharing = page.getByRole('region', { name: 'Who can see your availability' });
    const share = sharing.getByLabel('Share with Ms Aalto');
    expect(await share.isChecked()).toBe(true);
    await share.uncheck();
    await sharing.getByText('Can’t see your weekly times, notes or preferences.').waitFor();
    expect(await share.isChecked()).toBe(false);
    expect(await a11yViolations(page)).toEqual([]);

    await nav.getByRole('link', { name: 'Calendar' }).click();
    await page.waitForURL(/\/teacher$/);
    expect(errors).toEqual([]);
  });
});
