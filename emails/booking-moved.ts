import { sessionCalendar } from './calendar-links.ts';
import { base64, sessionTitle } from './ics.ts';
import { composeEmail, type RenderedEmail } from './layout.ts';
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
  return composeEmail({
    subject,
    blocks: [
      { kind: 'text', text: who },
      { kind: 'title', text: what },
      {
        kind: 'facts',
        rows: [
          { label: 'Now', value: now },
          { label: 'Was', value: was, struck: true },
        ],
      },
      ...(forStudent
        ? ([
            { kind: 'link', text: 'Need another change? Move or cancel it here:', url: p.actionUrl },
            { kind: 'text', text: 'The attached calendar file moves the session in your calendar, or:' },
            { kind: 'links', items: links },
          ] as const)
        : ([{ kind: 'action', label: 'Open your calendar', textLabel: 'Your calendar', url: p.actionUrl }] as const)),
    ],
    reason: forStudent
      ? `You received this email because you have a session with ${p.teacherName} on Slotcast.`
      : `You received this email because the session is in your Slotcast calendar.`,
    ...(forStudent
      ? { attachments: [{ filename: 'session.ics', contentType: 'text/calendar', content: base64(ics) }] }
      : {}),
  });
}
