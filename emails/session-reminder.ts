import { escapeHtml } from './escape.ts';
import { sessionTitle } from './ics.ts';
import { button, layout, paragraph, type RenderedEmail } from './layout.ts';
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
    const subject = `Reminder: ${p.studentName}${p.subject ? `, ${p.subject}` : ''} ${inTime}`;
    const line = `Your session with ${p.studentName}${p.subject ? ` (${p.subject})` : ''} starts ${inTime}: ${when}.`;
    return {
      subject,
      html: layout(
        subject,
        paragraph(`Hi ${p.recipientName},`) + paragraph(line) + button('Open your week', p.dashboardUrl),
      ),
      text: `Hi ${p.recipientName},\n\n${line}\n\nYour week: ${p.dashboardUrl}\n`,
    };
  }
  const subject = `Reminder: ${what}, ${formatSession(p.startsAt, p.endsAt, p.timeZone, false)}`;
  const change = 'Can’t make it? Move or cancel the session from your dashboard';
  return {
    subject,
    html: layout(
      subject,
      paragraph(`Hi ${p.recipientName}, a reminder of your session ${inTime}.`) +
        `<p style="margin:0 0 8px;font-size:18px;font-weight:700">${escapeHtml(what)}</p>` +
        paragraph(when) +
        paragraph(`${change}${p.portalUrl ? ' or your booking page' : ''}.`) +
        button('Reschedule or cancel', p.dashboardUrl) +
        (p.portalUrl ? button('Open my booking page', p.portalUrl) : ''),
    ),
    text: [
      `Hi ${p.recipientName}, a reminder of your session ${inTime}.`,
      '',
      what,
      when,
      '',
      `${change}:`,
      `Reschedule or cancel: ${p.dashboardUrl}`,
      ...(p.portalUrl ? [`Your booking page: ${p.portalUrl}`] : []),
      '',
    ].join('\n'),
  };
}
