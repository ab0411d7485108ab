/**
 * What the browser enforces for Slotcast's pages: a Content-Security-Policy with no inline scripts but the app's
 * own hashed bootstrap, a sign-in page that names the account before anyone presses the button, and a page for
 * a path that is no page. axe reports nothing on either page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { testClient } from '../support/client.ts';
import { tokenFromEmail, waitForEmail } from '../support/mailbox.ts';
import { givenTeacher } from '../support/scenario.ts';
import { appUrl, uniqueIp } from '../support/stack.ts';
import { a11yViolations, launchBrowser, newContext, pageErrors, PHONE, screenshot } from '../support/browser.ts';

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await (await newContext(browser, { viewport: PHONE })).newPage();
});
afterAll(async () => {
  await browser?.close();
});

/** The policies in force on the page: the response header's and the <meta> one SvelteKit writes. */
async function policies(page: Page, response: { headers(): Record<string, string> } | null) {
  const meta = await page
    .locator('meta[http-equiv="content-security-policy"]')
    .getAttribute('content')
    .catch(() => null);
  return { header: response?.headers()['content-security-policy'] ?? '', meta: meta ?? '' };
}

describe('the content security policy', () => {
  it('allows no inline script but the app’s own, and the app still runs', async () => {
    const errors = pageErrors(page);
    const violations: string[] = [];
    await page.exposeFunction('reportCspViolation', (directive: string) => violations.push(directive));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) =>
        (window as unknown as { reportCspViolation(d: string): void }).reportCspViolation(event.violatedDirective),
      );
    });
    const response = await page.goto(`${appUrl()}/login`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    const { header, meta } = await policies(page, response);
    expect(header).toContain("frame-ancestors 'none'");
    const scriptSrc = /script-src ([^;]+)/.exec(meta)?.[1] ?? '';
    expect(scriptSrc).toContain("'self'");
    expect(scriptSrc).toMatch(/'sha256-[A-Za-z0-9+/=]+'/);
    expect(scriptSrc).not.toContain('unsafe-inline');
    expect(header).not.toContain('unsafe-inline');
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);

    // An injected inline script (what a stored XSS would need) does not run.
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__injected = true';
      document.body.appendChild(script);
    });
    await expect.poll(() => violations.length).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
  });
});

describe('the sign-in confirmation page', () => {
  it('names the address the button signs in before it is pressed', async () => {
    const teacher = await givenTeacher();
    await testClient({ ip: uniqueIp() }).post('/api/auth/magic-link', { email: teacher.email });
    const token = tokenFromEmail(await waitForEmail(teacher.email));
    await page.goto(`${appUrl()}/login/verify#token=${token}`);
    await expect.poll(() => page.getByText(`This signs you in as ${teacher.email}`).count()).toBe(1);
    expect(await a11yViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in-confirmation-phone');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/teacher/);
  });
});

describe('a path that is no page', () => {
  it('says the page doesn’t exist and leads back to the start, with nothing for axe to report', async () => {
    const response = await page.goto(`${appUrl()}/no-such-page`);
    expect(response?.status()).toBeLessThan(500);
    await page.getByRole('heading', { name: 'This page doesn’t exist' }).waitFor();
    await page.getByRole('link', { name: 'Go to Slotcast’s start page' }).waitFor();
    expect(await a11yViolations(page)).toEqual([]);
  });
});
