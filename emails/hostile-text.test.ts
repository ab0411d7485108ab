/**
 * Emails and calendar files built from hostile names and subjects, as they would be if such a value reached
 * the database around the API's rules: the HTML shows them as text, the text part and the calendar file keep
 * them on one line, and an independent iCalendar parser reads back the same text and no extra property.
 */
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { escapeText, icsEvent, sessionIcs } from './ics.ts';
import { renderEmail } from './index.ts';

const INJECTION = 'Ann\r\nBcc: victim@example.test\r\nReply-To: evil@example.test\r\n\r\n<h1>owned</h1>';
const BARE_CR = 'Piano\rATTENDEE:mailto:victim@example.test';

const decode = (base64: string) => new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));

function parseEvent(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  const events = calendar.getAllSubcomponents('vevent');
  expect(events).toHaveLength(1);
  return events[0]!;
}

describe('emails built from hostile text', () => {
  const confirmation = renderEmail('booking-confirmation', {
    bookingId: '6f1c2a8e-2f4b-4f7e-9d6a-1b2c3d4e5f60',
    studentName: INJECTION,
    teacherName: `Ms <script>alert(1)</script> "Bo"\r\nX-Evil: 1`,
    subject: BARE_CR,
    startsAt: Date.UTC(2027, 2, 14, 9),
    endsAt: Date.UTC(2027, 2, 14, 10),
    studentTimeZone: 'Europe/Berlin',
    teacherTimeZone: 'America/New_York',
    dashboardUrl: 'https://app.example/student',
    signInUrl: 'https://app.example/login/verify#token=abc',
    newAccount: true,
    signInValidHours: 24,
    createdAt: Date.UTC(2027, 2, 1),
  });

  it('shows every value in the HTML as text, never as markup', () => {
    expect(confirmation.html).not.toContain('<h1>owned');
    expect(confirmation.html).not.toContain('<script>');
    expect(confirmation.html).toContain('&lt;h1&gt;owned&lt;/h1&gt;');
    expect(confirmation.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &quot;Bo&quot;');
  });

  it('keeps each value on its own line of the text part and in one subject line', () => {
    expect(confirmation.subject).not.toMatch(/[\r\n]/);
    expect(confirmation.text).not.toContain('\r');
    const lines = confirmation.text.split('\n');
    expect(lines[0]).toBe(
      'Hi Ann Bcc: victim@example.test Reply-To: evil@example.test <h1>owned</h1>, your session is booked.',
    );
    expect(lines.some((line) => /^(Bcc|Reply-To|X-Evil|ATTENDEE):/.test(line))).toBe(false);
  });

  it('attaches a calendar file whose summary reads back as the text, adding no property', () => {
    const event = parseEvent(decode(confirmation.attachments![0]!.content));
    expect(event.getFirstPropertyValue('summary')).toBe(
      'Piano ATTENDEE:mailto:victim@example.test with Ms <script>alert(1)</script> "Bo" X-Evil: 1',
    );
    expect(event.getAllProperties('attendee')).toHaveLength(0);
    expect(event.getAllProperties('x-evil')).toHaveLength(0);
  });

  it('escapes the share-link and notice emails the same way', () => {
    const share = renderEmail('share-link', {
      studentName: INJECTION,
      teacherName: '<img src=x onerror=alert(1)>',
      link: 'https://app.example/book/t/abc',
      expiresAt: Date.UTC(2027, 3, 1),
      timeZone: 'Europe/Berlin',
    });
    expect(share.html).not.toMatch(/<img|<h1>/);
    expect(share.subject).toBe('<img src=x onerror=alert(1)> invites you to book a session');
    expect(share.text.split('\n').find((line) => line.startsWith('Hi '))).toMatch(
      /^Hi Ann Bcc: victim@example.test Reply-To/,
    );
    const notice = renderEmail('booking-notice', {
      teacherName: 'T',
      studentName: INJECTION,
      subject: BARE_CR,
      startsAt: Date.UTC(2027, 2, 14, 9),
      endsAt: Date.UTC(2027, 2, 14, 10),
      timeZone: 'Europe/Berlin',
      calendarUrl: 'https://app.example/teacher',
    });
    expect(notice.subject).not.toMatch(/[\r\n]/);
    expect(notice.html).not.toContain('<h1>');
    expect(notice.text.split('\n').find((line) => line.startsWith('Ann '))).toMatch(
      /^Ann Bcc: victim@example.test Reply-To: evil@example.test <h1>owned/,
    );
  });
});

describe('iCalendar text (RFC 5545)', () => {
  it('escapes backslash, semicolon, comma and every kind of line break', () => {
    expect(escapeText('a\\b;c,d\r\ne\nf\rg')).toBe('a\\\\b\\;c\\,d\\ne\\nf\\ng');
    expect(escapeText('bell\u0007 esc\u001b nul\u0000')).toBe('bell esc nul');
  });

  it('round-trips hostile multi-line text through an independent parser, folded at 75 octets', () => {
    const description = `Line one;\r\nEND:VEVENT\rBEGIN:VEVENT\nSUMMARY:fake, with \\ and ${'é'.repeat(60)}`;
    const ics = icsEvent({
      uid: 'abc@slotcast',
      startsAt: Date.UTC(2027, 2, 14, 9),
      endsAt: Date.UTC(2027, 2, 14, 10),
      summary: 'Trial; lesson, "quoted"',
      description,
      organizerName: 'Ms "Bo": Smith; Jr.',
      stamp: Date.UTC(2027, 2, 1),
    });
    for (const line of ics.split('\r\n')) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
    const event = parseEvent(ics);
    expect(event.getFirstPropertyValue('summary')).toBe('Trial; lesson, "quoted"');
    expect(event.getFirstPropertyValue('description')).toBe(description.replace(/\r\n|\r/g, '\n'));
    expect(event.getAllProperties('summary')).toHaveLength(1);
    expect(event.getFirstProperty('organizer')!.getParameter('cn')).toBe("Ms 'Bo': Smith; Jr.");
  });

  it('gives the dashboard file the same one-line summary', () => {
    const event = parseEvent(
      sessionIcs({
        bookingId: 'b1',
        subject: 'A\rB',
        teacherName: 'T\nU',
        startsAt: 0,
        endsAt: 3_600_000,
        dashboardUrl: 'https://app.example/student',
        stamp: 0,
      }),
    );
    expect(event.getAllProperties().map((p) => p.name)).toEqual([
      'uid',
      'sequence',
      'dtstamp',
      'dtstart',
      'dtend',
      'summary',
      'description',
      'url',
      'organizer',
    ]);
  });
});
