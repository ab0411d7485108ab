import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { testClient } from '../support/client.ts';
import { givenTeacher } from '../support/scenario.ts';
import { appUrl, uniqueEmail } from '../support/stack.ts';
import { hoursFromNow } from '../support/time.ts';
import { DESKTOP, launchBrowser, newContext, PHONE, screenshot, a11yViolations } from '../support/browser.ts';

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const confirmWith = (key: string) =>
  testClient({ origin: null })
    .post(
      '/api/booking/confirm',
      { email: uniqueEmail('form'), name: 'Form Student', start: hoursFromNow(30), externalId: crypto.randomUUID() },
      { authorization: `Bearer ${key}` },
    )
    .then((r) => r.status);

describe('a teacher connects another booking system with an API key', () => {
  it('makes a key that is shown once, sees it used, and revokes it', async () => {
    const teacher = await givenTeacher({ displayName: 'Ms Adeyemi' });
    const context = await newContext(browser, { viewport: PHONE });
    const [name, value] = teacher.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: appUrl() }]);
    page = await context.newPage();
    await page.goto(`${appUrl()}/teacher/settings`);
    const section = page.getByRole('region', { name: 'API keys' });
    await section.getByText('No API keys yet').waitFor();

    await section.getByRole('button', { name: 'Create key' }).click();
    await section.getByText('Name the key after what uses it').waitFor();
    expect(await section.getByLabel('New key’s name').getAttribute('aria-invalid')).toBe('true');
    await section.getByLabel('New key’s name').fill('Website form');
    await section.getByRole('button', { name: 'Create key' }).click();
    const secret = await section.getByLabel('New API key').inputValue();
    expect(secret).toMatch(/^sc_[a-z2-7]{52}$/);
    await screenshot(page, 'api-keys-phone');
    expect(await a11yViolations(page)).toEqual([]);

    expect(await confirmWith(secret)).toBe(201);
    await page.reload();
    const again = page.getByRole('region', { name: 'API keys' });
    await again.getByText('Website form').waitFor();
    expect(await again.getByLabel('New API key').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    expect(await again.getByText(/last used never/).count()).toBe(0);

    await page.setViewportSize(DESKTOP);
    await again.getByRole('button', { name: 'Revoke Website form' }).click();
    await again.getByRole('button', { name: 'Revoke key' }).click();
    await again.getByText(/^Revoked /).waitFor();
    await screenshot(page, 'api-keys-desktop');
    expect(await a11yViolations(page)).toEqual([]);
    expect(await confirmWith(secret)).toBe(401);
    await context.close();
  });
});
