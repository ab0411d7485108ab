import { base64, sessionIcs, sessionTitle } from './ics.ts';
import { composeEmail, type RenderedEmail } from './layout.ts';
import { formatSession } from './session-times.ts';

export interface BookingCanceledPayload {
  /** Who reads it: the student gets the calendar file that removes the event. */
  recipient: 'student' | 'teacher';
  canceledBy: 'student' | 'teacher';
  bookingId: string;
  icsUid: string;
  icsSequence: number;
  studentName: string;
  teacherName: string;
  subject: string;
  startsAt: number;
  endsAt: number;
  /** The reader's time zone. */
  timeZone: string;
  /** The teacher's words to the student, when the teacher cancelled. */
  message: string | null;
  /** Student: where to book another time. Teacher: their bookings list. */
  actionUrl: string;
  dashboardUrl: string;
  createdAt: number;
}

/** A cancelled session, told to one side in their own time zone. */
export function bookingCanceledEmail(p: BookingCanceledPayload): RenderedEmail {
  const what = sessionTitle(p.subject, p.teacherName);
  const when = formatSession(p.startsAt, p.endsAt, p.timeZone);
  const forStudent = p.recipient === 'student';
  const subject = forStudent
    ? `Canceled: ${what}, ${formatSession(p.startsAt, p.endsAt, p.timeZone, false)}`
    : `Canceled: ${p.studentName}${p.subject ? `, ${p.subject}` : ''}, ${formatSession(p.startsAt, p.endsAt, p.timeZone, false)}`;
  const who =
    p.canceledBy === 'teacher'
      ? forStudent
        ? `${p.teacherName} canceled your session.`
        : `You canceled ${p.studentName}'s session.`
      : forStudent
        ? 'You canceled your session.'
        : `${p.studentName} canceled their session.`;
  const next = forStudent ? 'Book another time' : 'Open your bookings';
  const ics = forStudent
    ? sessionIcs({
        bookingId: p.bookingId,
        uid: p.icsUid,
        sequence: p.icsSequence,
        canceled: true,
        subject: p.subject,
        teacherName: p.teacherName,
        startsAt: p.startsAt,
        endsAt: p.endsAt,
        dashboardUrl: p.dashboardUrl,
        stamp: p.createdAt,
      })
    : null;
  return composeEmail({
    subject,
    blocks: [
      { kind: 'text', text: who },
      { kind: 'title', text: what, struck: true },
      { kind: 'facts', rows: [{ label: 'Was', value: when, struck: true }] },
      ...(p.message ? [{ kind: 'quote' as const, text: p.message, by: `Message from ${p.teacherName}` }] : []),
      { kind: 'action', label: next, url: p.actionUrl },
      ...(ics
        ? [{ kind: 'text' as const, text: 'The attached calendar file removes the session from your calendar.' }]
        : []),
    ],
    reason: forStudent
      ? `You received this email because you had a session with ${p.teacherName} on Slotcast.`
      : `You received this email because the session was in your Slotcast calendar.`,
    ...(ics
      ? { attachments: [{ filename: 'session-canceled.ics', contentType: 'text/calendar', content: base64(ics) }] }
      : {}),
  });
}
