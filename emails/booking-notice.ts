import { button, layout, paragraph, type RenderedEmail } from './layout.ts';
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
  const subject = `New booking: ${p.studentName}${p.subject ? `, ${p.subject}` : ''}`;
  return {
    subject,
    html: layout(
      subject,
      paragraph(`${p.studentName} booked ${p.subject || 'a session'}: ${when}.`) +
        button('Open your calendar', p.calendarUrl) +
        paragraph('You can turn these emails off in Settings.'),
    ),
    text: `${p.studentName} booked ${p.subject || 'a session'}: ${when}.\n\nYour calendar: ${p.calendarUrl}\n\nYou can turn these emails off in Settings.\n`,
  };
}
