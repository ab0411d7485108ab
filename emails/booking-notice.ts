import { composeEmail, type RenderedEmail } from './layout.ts';
import { formatSession } from './session-times.ts';

export interface BookingNoticePayload {
  teacherName: string;
  studentName: string;
  subject: string;
  startsAt: number;
  endsAt: number;
  timeZone: string;
  calendarUrl: string;
}

/** The teacher's short notice of a new booking (turned off with notifyOnBooking). */
export function bookingNoticeEmail(p: BookingNoticePayload): RenderedEmail {
  const when = formatSession(p.startsAt, p.endsAt, p.timeZone);
  return composeEmail({
    subject: `New booking: ${p.studentName}${p.subject ? `, ${p.subject}` : ''}`,
    blocks: [
      { kind: 'title', text: 'New booking' },
      { kind: 'text', text: `${p.studentName} booked ${p.subject || 'a session'}: ${when}.` },
      { kind: 'action', label: 'Open your calendar', textLabel: 'Your calendar', url: p.calendarUrl },
    ],
    reason:
      'You received this email because a student booked one of your Slotcast slots. You can turn these emails off in Settings.',
  });
}
