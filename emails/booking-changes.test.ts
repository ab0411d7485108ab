import { describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { bookingCanceledEmail } from './booking-canceled.ts';
import { bookingConfirmationEmail } from './booking-confirmation.ts';
import { bookingMovedEmail } from './booking-moved.ts';

// 23:30–00:30 in London on a winter night: the next day in London, the same evening in New York.
const startsAt = Date.UTC(2031, 0, 14, 23, 30);
const endsAt = startsAt + 60 * 60_000;
const base = {
  bookingId: 'b2',
  icsUid: 'b1@slotcast',
  icsSequence: 2,
  studentName: 'Ada',
  teacherName: 'Ms Hopper',
  subject: 'Algebra',
  startsAt,
  endsAt,
  dashboardUrl: 'https://slotcast.example/student',
  createdAt: startsAt - 86_400_000,
};

const icsText = (content: string) => Buffer.from(content, 'base64').toString('utf8');

describe('emails about a change', () => {
  it('tells each side the time in their own zone, with the end date when a session crosses midnight', () => {
    const student = bookingMovedEmail({
      ...base,
      recipient: 'student',
      movedBy: 'teacher',
      previous: { startsAt: startsAt - 86_400_000, endsAt: endsAt - 86_400_000 },
      timeZone: 'America/New_York',
      actionUrl: 'https://slotcast.example/book/t/tok?reschedule=b2',
    });
    expect(student.text).toContain('Now: Tuesday, 14 January 2031, 18:30–19:30 (New York, Eastern Time, GMT-5)');
    const teacher = bookingMovedEmail({
      ...base,
      recipient: 'teacher',
      movedBy: 'teacher',
      previous: { startsAt: startsAt - 86_400_000, endsAt: endsAt - 86_400_000 },
      timeZone: 'Europe/London',
      actionUrl: 'https://slotcast.example/teacher',
    });
    expect(teacher.text).toContain(
      'Now: Tuesday, 14 January 2031, 23:30–Wednesday, 15 January 2031, 00:30 (London, United Kingdom Time, GMT+0)',
    );
    expect(teacher.attachments).toBeUndefined();
    // No raw IANA ID reaches a reader.
    for (const email of [student, teacher])
      expect(email.text + email.html).not.toMatch(/America\/New_York|Europe\/London/);
  });

  it('moves the same calendar event and removes it on cancellation', () => {
    const moved = bookingMovedEmail({
      ...base,
      recipient: 'student',
      movedBy: 'student',
      previous: { startsAt: startsAt - 86_400_000, endsAt: endsAt - 86_400_000 },
      timeZone: 'Europe/London',
      actionUrl: 'https://slotcast.example/student?reschedule=b2',
    });
    const event = new ICAL.Event(
      new ICAL.Component(ICAL.parse(icsText(moved.attachments![0]!.content))).getFirstSubcomponent('vevent')!,
    );
    expect(event.uid).toBe('b1@slotcast');
    expect(event.sequence).toBe(2);
    expect(moved.html).toContain('href="https://calendar.google.com/calendar/render?action=TEMPLATE');
    expect(moved.html).toContain('href="https://outlook.live.com/calendar/0/deeplink/compose?');

    const canceled = bookingCanceledEmail({
      ...base,
      recipient: 'student',
      canceledBy: 'teacher',
      message: 'Ill, sorry <b>!</b>',
      timeZone: 'Europe/London',
      actionUrl: 'https://slotcast.example/book/t/tok',
    });
    const calendar = new ICAL.Component(ICAL.parse(icsText(canceled.attachments![0]!.content)));
    expect(calendar.getFirstPropertyValue('method')).toBe('CANCEL');
    expect(calendar.getFirstSubcomponent('vevent')!.getFirstPropertyValue('uid')).toBe('b1@slotcast');
    expect(canceled.html).toContain('Ill, sorry &lt;b&gt;!&lt;/b&gt;');
    expect(canceled.text).toContain('Book another time: https://slotcast.example/book/t/tok');
  });

  it('makes the dashboard address in the confirmation a link, and offers a reschedule link', () => {
    const email = bookingConfirmationEmail({
      bookingId: 'b1',
      studentName: 'Ada',
      teacherName: 'Ms Hopper',
      subject: 'Algebra',
      startsAt,
      endsAt,
      studentTimeZone: 'Europe/London',
      teacherTimeZone: 'Europe/London',
      dashboardUrl: 'https://slotcast.example/student',
      signInUrl: 'https://slotcast.example/login/verify#token=abc',
      newAccount: true,
      signInValidHours: 24,
      createdAt: startsAt - 86_400_000,
      rescheduleUrl: 'https://slotcast.example/book/t/tok?reschedule=b1',
    });
    expect(email.html).toContain('<a href="https://slotcast.example/student"');
    expect(email.html).toContain('href="https://slotcast.example/book/t/tok?reschedule=b1"');
    expect(email.text).toContain('23:30–Wednesday, 15 January 2031, 00:30');
  });
});
