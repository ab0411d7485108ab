import { sessionCalendar } from './calendar-links.ts';
import { escapeHtml } from './escape.ts';
import { base64, sessionTitle } from './ics.ts';
import { button, layout, paragraph, paragraphWithLink, type RenderedEmail } from './layout.ts';
import { formatSession } from './session-times.ts';

export interface BookingMovedPayload {
  recipient: 'student' | 'teacher';
  /** The student rescheduled, or the teacher moved it. */
  movedBy: 'student' | 'teacher';
  /** The booking at the new time. */
  bookingId: string;
  icsUid: string;
  icsSequence: number;
  studentName: string;
  teacherName: string;
  subject: string;
  previous: { startsAt: number; endsAt: number };
  startsAt: number;
  endsAt: number;
  /** The reader's time zone. */
  timeZone: string;
  /** Student: where to move or cancel it again. Teacher: their calendar. */
  actionUrl: string;
  dashboardUrl: string;
  createdAt: number;
}

/** A session at a new time, told to one side in their own time zone; the student's file moves the event. */
export function bookingMovedEmail(p: BookingMovedPayload): RenderedEmail {
  const what = sessionTitle(p.subject, p.teacherName);
  const was = formatSession(p.previous.startsAt, p.previous.endsAt, p.timeZone);
  const now = formatSession(p.startsAt, p.endsAt, p.timeZone);
  const forStudent = p.recipient === 'student';
  const short = formatSession(p.startsAt, p.endsAt, p.timeZone, false);
  const subject = forStudent
    ? `New time: ${what}, ${short}`
    : `New time: ${p.studentName}${p.subject ? `, ${p.subject}` : ''}, ${short}`;
  const who =
    p.movedBy === 'teacher'
      ? forStudent
        ? `${p.teacherName} moved your session to a new time.`
        : `You moved ${p.studentName}'s session to a new time.`
      : forStudent
        ? 'You moved your session to a new time.'
        : `${p.studentName} moved their session to a new time.`;
  const { ics, links } = sessionCalendar({ ...p, title: what });
  const again = 'Need another change? Move or cancel it here';
  return {
    subject,
    html: layout(
      subject,
      paragraph(who) +
        `<p style="margin:0 0 8px;font-size:18px;font-weight:700">${escapeHtml(what)}</p>` +
        paragraph(`Now: ${now}`) +
        `<p style="margin:0 0 16px;color:#6b7280">Was: <s>${escapeHtml(was)}</s></p>` +
        (forStudent
          ? paragraphWithLink(`${again}: `, p.actionUrl) +
            paragraph('The attached calendar file moves the session in your calendar, or:') +
            links.html
          : button('Open your calendar', p.actionUrl)),
    ),
    text: [
      who,
      '',
      what,
      `Now: ${now}`,
      `Was: ${was}`,
      '',
      ...(forStudent
        ? [
            `${again}: ${p.actionUrl}`,
            '',
            'The attached calendar file moves the session in your calendar, or:',
            ...links.text,
          ]
        : [`Your calendar: ${p.actionUrl}`]),
      '',
    ].join('\n'),
    ...(forStudent
      ? { attachments: [{ filename: 'session.ics', contentType: 'text/calendar', content: base64(ics) }] }
      : {}),
  };
}
