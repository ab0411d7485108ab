import { escapeHtml } from './escape.ts';
import { base64, sessionTitle } from './ics.ts';
import { sessionCalendar } from './calendar-links.ts';
import { button, layout, paragraph, paragraphWithLink, type RenderedEmail } from './layout.ts';
import { formatSession } from './session-times.ts';

export interface BookingConfirmationPayload {
  bookingId: string;
  studentName: string;
  teacherName: string;
  subject: string;
  startsAt: number;
  endsAt: number;
  studentTimeZone: string;
  teacherTimeZone: string;
  /** The student dashboard, `/student`. */
  dashboardUrl: string;
  /** One-click sign-in (the click-to-confirm page); single use. */
  signInUrl: string;
  /** A new account gets a first-access link valid 24 hours; an existing one a sign-in link. */
  newAccount: boolean;
  signInValidHours: number;
  createdAt: number;
  /** Where the student moves the session to another time (their booking page, or the dashboard). */
  rescheduleUrl?: string;
}

export function bookingConfirmationEmail(p: BookingConfirmationPayload): RenderedEmail {
  const what = sessionTitle(p.subject, p.teacherName);
  const subject = `Booked: ${what}, ${formatSession(p.startsAt, p.endsAt, p.studentTimeZone, false)}`;
  const when = formatSession(p.startsAt, p.endsAt, p.studentTimeZone);
  const teacherWhen =
    p.teacherTimeZone !== p.studentTimeZone ? formatSession(p.startsAt, p.endsAt, p.teacherTimeZone) : null;
  const access = p.newAccount
    ? `We made you a Slotcast account with this address, so you can follow your sessions and tell ${p.teacherName} when you're free. Your first sign-in is one click, no password: the link works once, for ${p.signInValidHours} hours.`
    : `Sign in with one click to see all your sessions: the link works once, for ${p.signInValidHours} hours.`;
  const { ics, links } = sessionCalendar({ ...p, title: what });
  const change = 'Need another time? You can move or cancel the session here';
  return {
    subject,
    html: layout(
      subject,
      paragraph(`Hi ${p.studentName}, your session is booked.`) +
        `<p style="margin:0 0 8px;font-size:18px;font-weight:700">${escapeHtml(what)}</p>` +
        paragraph(when) +
        (teacherWhen ? paragraph(`For ${p.teacherName}: ${teacherWhen}`) : '') +
        paragraph(access) +
        button(p.newAccount ? 'Open my dashboard' : 'Sign in to my dashboard', p.signInUrl) +
        paragraphWithLink('Already signed in? Your dashboard: ', p.dashboardUrl) +
        (p.rescheduleUrl ? paragraphWithLink(`${change}: `, p.rescheduleUrl) : '') +
        paragraph('The attached calendar file adds the session to your calendar, or:') +
        links.html,
    ),
    text: [
      `Hi ${p.studentName}, your session is booked.`,
      '',
      what,
      when,
      ...(teacherWhen ? [`For ${p.teacherName}: ${teacherWhen}`] : []),
      '',
      access,
      `Sign in: ${p.signInUrl}`,
      '',
      `Your dashboard: ${p.dashboardUrl}`,
      ...(p.rescheduleUrl ? ['', `${change}: ${p.rescheduleUrl}`] : []),
      '',
      'The attached calendar file adds the session to your calendar, or:',
      ...links.text,
      '',
    ].join('\n'),
    attachments: [{ filename: 'session.ics', contentType: 'text/calendar', content: base64(ics) }],
  };
}
