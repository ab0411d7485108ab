/**
 * The booking page in a browser at a chosen instant: the page's own clock (Date, and Temporal.Now through it)
 * is fixed there with Playwright's clock, and every request the page makes carries X-Slotcast-Now with the
 * same instant, so the Worker and the page agree on "now". The test stack honours the header.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PHONE } from './browser.ts';
import { uniqueIp } from './stack.ts';

export interface PortalPageOptions {
  at?: number;
  viewport?: { width: number; height: number };
  timezoneId?: string;
}

export async function openPortalAt(
  browser: Browser,
  url: string,
  { at, viewport = PHONE, timezoneId = 'Europe/Berlin' }: PortalPageOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport,
    timezoneId,
    locale: 'en-GB',
    // Its own client address, so its reads don't spend another test's rate-limit budget.
    extraHTTPHeaders: { 'cf-connecting-ip': uniqueIp(), ...(at === undefined ? {} : { 'x-slotcast-now': String(at) }) },
  });
  const page = await context.newPage();
  if (at !== undefined) await page.clock.setFixedTime(at);
  await page.goto(url);
  return { context, page };
}
