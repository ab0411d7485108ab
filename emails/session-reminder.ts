import { sessionTitle } from './ics.ts';
import { composeEmail, type RenderedEmail } from './layout.ts';
import { formatSession } from './session-times.ts';
import { describeDuration } from '../shared/booking-rules.ts';

export interface SessionReminderPayload {
  bookingId: string;
  /** Who reads it: the student (links to move or cancel) or the teacher (a link to their week). */
  audience: 'student' | 'teacher';
  recipientName: string;
  teacherName: string;
  studentName: string;
  subject: string;
  startsAt: number;
  endsAt: number;
  /** The reader's time zone. */
  timeZone: string;
  /** How long before the start this reminder is meant to arrive. */
  offsetMinutes: number;
  /** Student: their dashboard, where sessions are moved and cancelled. Teacher: their week. */
  dashboardUrl: string;
  /** Student: their personal booking page, when they have a link that still works. */
  portalUrl: string | null;
}

/** The reminder before a session, at one of the teacher's offsets (worker/reminders/). */
export function sessionReminderEmail(p: SessionReminderPayload): RenderedEmail {
  const what = sessionTitle(p.subject, p.teacherName);
  const when = formatSession(p.startsAt, p.endsAt, p.timeZone);
  const inTime = `in ${describeDuration(p.offsetMinutes)}`;
  if (p.audience === 'teacher') {
    const line = `Your session with ${p.studentName}${p.subject ? ` (${p.subject})` : ''} starts ${inTime}: ${when}.`;
    return composeEmail({
      subject: `Reminder: ${p.studentName}${p.subject ? `, ${p.subject}` : ''} ${inTime}`,
      blocks: [
        { kind: 'text', text: `Hi ${p.recipientName},` },
        { kind: 'title', text: `${p.subject || 'Session'} with ${p.studentName}` },
        { kind: 'text', text: line },
        { kind: 'action', label: 'Open your week', textLabel: 'Your week', url: p.dashboardUrl },
      ],
      reason:
        'You received this email because the session is in your Slotcast calendar. Reminders are set in Settings.',
    });
  }
  return composeEmail({
    subject: `Reminder: ${what}, ${formatSession(p.startsAt, p.endsAt, p.timeZone, false)}`,
    blocks: [
      { kind: 'text', text: `Hi ${p.recipientName}, a reminder of your session ${inTime}.` },
      { kind: 'title', text: what },
      { kind: 'facts', rows: [{ label: 'When', value: when }] },
      { kind: 'text', text: 'Can’t make it? Move or cancel the session from your dashboard.' },
      { kind: 'action', label: 'Reschedule or cancel', url: p.dashboardUrl },
      ...(p.portalUrl
        ? [{ kind: 'link' as const, text: 'Or book another time on your booking page:', url: p.portalUrl }]
        : []),
    ],
    reason: `You received this email because you have a session with ${p.teacherName} on Slotcast.`,
  });
}
