import { base64, sessionTitle } from './ics.ts';
import { sessionCalendar } from './calendar-links.ts';
import { composeEmail, type Block, type RenderedEmail } from './layout.ts';
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
  const when = formatSession(p.startsAt, p.endsAt, p.studentTimeZone);
  const teacherWhen =
    p.teacherTimeZone !== p.studentTimeZone ? formatSession(p.startsAt, p.endsAt, p.teacherTimeZone) : null;
  const access = p.newAccount
    ? `We made you a Slotcast account with this address, so you can follow your sessions and tell ${p.teacherName} when you're free. Your first sign-in is one click, no password: the link works once, for ${p.signInValidHours} hours.`
    : `Sign in with one click to see all your sessions: the link works once, for ${p.signInValidHours} hours.`;
  const { ics, links } = sessionCalendar({ ...p, title: what });
  const blocks: Block[] = [
    { kind: 'text', text: `Hi ${p.studentName}, your session is booked.` },
    { kind: 'title', text: what },
    {
      kind: 'facts',
      rows: [
        { label: 'When', value: when },
        ...(teacherWhen ? [{ label: `For ${p.teacherName}`, value: teacherWhen }] : []),
      ],
    },
    { kind: 'text', text: access },
    {
      kind: 'action',
      label: p.newAccount ? 'Open my dashboard' : 'Sign in to my dashboard',
      textLabel: 'Sign in',
      url: p.signInUrl,
    },
    { kind: 'link', text: 'Already signed in? Your dashboard:', url: p.dashboardUrl },
    ...(p.rescheduleUrl
      ? [
          {
            kind: 'link' as const,
            text: 'Need another time? You can move or cancel the session here:',
            url: p.rescheduleUrl,
          },
        ]
      : []),
    { kind: 'text', text: 'The attached calendar file adds the session to your calendar, or:' },
    { kind: 'links', items: links },
  ];
  return composeEmail({
    subject: `Booked: ${what}, ${formatSession(p.startsAt, p.endsAt, p.studentTimeZone, false)}`,
    blocks,
    reason: `You received this email because you booked a session with ${p.teacherName} on Slotcast.`,
    attachments: [{ filename: 'session.ics', contentType: 'text/calendar', content: base64(ics) }],
  });
}
