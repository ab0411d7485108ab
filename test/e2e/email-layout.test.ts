/**
 * Every email, as a reader's phone shows it: rendered in Chromium at 390 px in light and in dark mode, with
 * axe over the result, and the plain-text part read on its own. The emails are rendered by the Worker's own
 * templates; the screenshots in docs/screens/ are the ones this test takes.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderEmail, type TemplateName, type TemplatePayloads } from '../../emails/index.ts';
import { launchBrowser, newContext, PHONE } from '../support/browser.ts';

const HOUR = 3_600_000;
// A fixed instant is fine here: the templates are pure functions of their payloads, and no rule depends on it.
const START = Date.UTC(2031, 0, 14, 17);
const APP = 'https://slotcast.example';
const session = { startsAt: START, endsAt: START + HOUR, createdAt: START - 48 * HOUR };

const samples: { [K in TemplateName]: TemplatePayloads[K] } = {
  'sign-in': {
    link: `${APP}/login/verify#token=abcdefghijklmnopqrstuvwxyz234567`,
    expiresInMinutes: 15,
    kind: 'login',
  },
  'share-link': {
    studentName: 'Ada Lovelace',
    teacherName: 'Ms Rivera',
    link: `${APP}/book/t/abcdefghijklmnopqrstuvwxyz234567`,
    expiresAt: START + 30 * 24 * HOUR,
    timeZone: 'Europe/Berlin',
  },
  'booking-confirmation': {
    bookingId: 'b1',
    studentName: 'Ada Lovelace',
    teacherName: 'Ms Rivera',
    subject: 'Geometry',
    ...session,
    studentTimeZone: 'America/New_York',
    teacherTimeZone: 'Europe/Berlin',
    dashboardUrl: `${APP}/student`,
    signInUrl: `${APP}/login/verify#token=abcdefghijklmnopqrstuvwxyz234567`,
    newAccount: true,
    signInValidHours: 24,
    rescheduleUrl: `${APP}/book/t/abcdefghijklmnopqrstuvwxyz234567`,
  },
  'booking-notice': {
    teacherName: 'Ms Rivera',
    studentName: 'Ada Lovelace',
    subject: 'Geometry',
    ...session,
    timeZone: 'Europe/Berlin',
    calendarUrl: `${APP}/teacher`,
  },
  'session-reminder': {
    bookingId: 'b1',
    audience: 'student',
    recipientName: 'Ada Lovelace',
    teacherName: 'Ms Rivera',
    studentName: 'Ada Lovelace',
    subject: 'Geometry',
    ...session,
    timeZone: 'America/New_York',
    offsetMinutes: 60,
    dashboardUrl: `${APP}/student`,
    portalUrl: `${APP}/book/t/abcdefghijklmnopqrstuvwxyz234567`,
  },
  'booking-canceled': {
    recipient: 'student',
    canceledBy: 'teacher',
    bookingId: 'b1',
    icsUid: 'b1@slotcast.example',
    icsSequence: 1,
    studentName: 'Ada Lovelace',
    teacherName: 'Ms Rivera',
    subject: 'Geometry',
    ...session,
    timeZone: 'America/New_York',
    message: 'I am ill this week, sorry. Please pick another time.',
    actionUrl: `${APP}/book/t/abcdefghijklmnopqrstuvwxyz234567`,
    dashboardUrl: `${APP}/student`,
  },
  'booking-moved': {
    recipient: 'student',
    movedBy: 'teacher',
    bookingId: 'b2',
    icsUid: 'b1@slotcast.example',
    icsSequence: 2,
    studentName: 'Ada Lovelace',
    teacherName: 'Ms Rivera',
    subject: 'Geometry',
    previous: { startsAt: START, endsAt: START + HOUR },
    startsAt: START + 24 * HOUR,
    endsAt: START + 25 * HOUR,
    timeZone: 'America/New_York',
    actionUrl: `${APP}/student`,
    dashboardUrl: `${APP}/student`,
    createdAt: START - 48 * HOUR,
  },
};

const SCREENS = join(import.meta.dirname, '..', '..', 'docs', 'screens');
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
  mkdirSync(SCREENS, { recursive: true });
});
afterAll(() => browser?.close());

describe('every email in one layout', () => {
  for (const template of Object.keys(samples) as TemplateName[]) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`reads well on a phone in ${colorScheme} mode: ${template}`, async () => {
        const email = renderEmail(template, samples[template] as never);
        const context = await newContext(browser, { viewport: PHONE, colorScheme });
        const page = await context.newPage();
        try {
          await page.setContent(email.html);
          // Nothing sideways: the reader never scrolls left and right.
          expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
          // The card follows the reader's mode (light text on a dark card in dark mode).
          const card = await page.$eval('.sc-card', (el) => getComputedStyle(el).backgroundColor);
          expect(card).toBe(colorScheme === 'dark' ? 'rgb(30, 41, 59)' : 'rgb(255, 255, 255)');
          const axe = await new AxeBuilder({ page }).analyze();
          expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual(
            [],
          );
          if (template === 'sign-in' || template === 'booking-confirmation' || template === 'booking-canceled') {
            await page.screenshot({ path: join(SCREENS, `email-${template}-${colorScheme}-390.png`), fullPage: true });
          }
        } finally {
          await context.close();
        }
      });
    }
  }

  it('gives every link of the HTML part in the plain-text part, which has no markup', () => {
    for (const template of Object.keys(samples) as TemplateName[]) {
      const email = renderEmail(template, samples[template] as never);
      const hrefs = [...email.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
      expect(hrefs.length, template).toBeGreaterThan(0);
      for (const href of hrefs) expect(email.text, `${template}: ${href}`).toContain(href);
      expect(email.text, template).not.toMatch(/<[a-z/][^>]*>/i);
      // Every email ends with the same footer saying why it came.
      expect(email.text, template).toMatch(/\n-- \nSlotcast\nYou received this email because /);
      expect(email.html, template).toContain('name="color-scheme" content="light dark"');
    }
  });
});
