import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { tokenFromEmail, waitForEmail } from '../support/mailbox.ts';
import { appUrl, uniqueEmail } from '../support/stack.ts';
import { launchBrowser, newContext, pageErrors, screenshot, a11yViolations } from '../support/browser.ts';

let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  browser = await launchBrowser();
  page = await (await newContext(browser)).newPage();
  errors = pageErrors(page);
});
afterAll(async () => {
  await browser?.close();
});

async function signInWithDemoSchool(email: string) {
  await page.goto(`${appUrl()}/login`);
  await page.getByRole('link', { name: 'Sign in with Demo School' }).click();
  await page.getByRole('heading', { name: 'Demo School' }).waitFor();
  await page.getByLabel('School email address').fill(email);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/teacher$/);
}

async function signOut() {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login$/);
}

describe('a teacher signs in with their school', () => {
  const email = uniqueEmail('school-teacher');

  it('has an account from an email link first', async () => {
    await page.goto(`${appUrl()}/login`);
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.getByText('Check your inbox.').waitFor();
    const token = tokenFromEmail(await waitForEmail(email));
    await page.goto(`${appUrl()}/login/verify#token=${token}`);
    await page.getByRole('button', { name: /Sign in|Create/ }).click();
    await page.waitForURL(/\/teacher$/);
    await signOut();
  });

  it('signs in through the demo school, linked to that account, then signs out and in again', async () => {
    await page.goto(`${appUrl()}/login`);
    await page.getByRole('link', { name: 'Sign in with Demo School' }).waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    await screenshot(page, 'login-with-providers');
    await signInWithDemoSchool(email);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await signOut();
    // The school still remembers the person (single sign-on): one click, and they are back in Slotcast.
    await page.getByRole('link', { name: 'Sign in with Demo School' }).click();
    await page.waitForURL(/\/teacher$/);
  });

  it('sees the school in the sign-in methods of the settings, and can unlink it', async () => {
    await page.goto(`${appUrl()}/teacher/settings`);
    const methods = page.getByRole('region', { name: 'Sign-in methods' });
    await methods.getByText(`Email link to ${email}`).waitFor();
    await methods.getByText('Demo School').waitFor();
    await screenshot(page, 'settings-sign-in-methods');
    expect(await a11yViolations(page)).toEqual([]);
    await methods.getByRole('button', { name: 'Unlink Demo School' }).click();
    await methods.getByText('Demo School is no longer linked.', { exact: false }).waitFor();
    await methods.getByRole('button', { name: 'Unlink Demo School' }).waitFor({ state: 'detached' });
  });

  it('explains a refused sign-in on the sign-in page', async () => {
    // Another browser: no session at Slotcast or at the school.
    page = await (await newContext(browser)).newPage();
    errors = pageErrors(page);
    await page.goto(`${appUrl()}/login`);
    await page.getByRole('link', { name: 'Sign in with Demo School' }).click();
    await page.getByLabel('School email address').fill(uniqueEmail('unverified'));
    await page.getByLabel('The school has verified this address').uncheck();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/login$/);
    await page.getByRole('alert').getByText('has not verified your email address').waitFor();
    expect(errors).toEqual([]);
  });
});
