/**
 * A single-event iCalendar file (RFC 5545) for "add to calendar": UTC times, escaped text, lines folded at 75
 * octets, CRLF line ends. Returned as text; email attachments carry it base64-encoded.
 */
import { toOneLine, UNSAFE_RUNS_IN_NOTES } from './text-rules.ts';

export interface IcsEvent {
  uid: string;
  startsAt: number;
  endsAt: number;
  summary: string;
  description?: string;
  url?: string;
  organizerName?: string;
  /** When the file was made; a fixed value keeps output reproducible in tests. */
  stamp: number;
  /** Raised with every new time or cancellation of the same event, so a calendar applies the newest. */
  sequence?: number;
  /** `CANCEL` removes the event (UID) from the calendar that holds it. */
  method?: 'PUBLISH' | 'CANCEL';
}

const utc = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
/**
 * TEXT as RFC 5545 §3.3.11 says: backslash, semicolon and comma escaped, every line break (CRLF, LF or a bare
 * CR) as `\n`, and the other control characters, which TEXT may not hold at all, removed.
 */
export const escapeText = (value: string) =>
  value
    .replace(/\r\n|\r|\n/g, '\n')
    .replace(UNSAFE_RUNS_IN_NOTES, '')
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\n/g, '\\n');
/** A parameter value (RFC 5545 §3.2): always DQUOTE-quoted, so `:` `;` `,` are inert; DQUOTE itself can't be. */
const paramValue = (value: string) => `"${toOneLine(value).replace(/"/g, "'")}"`;

function fold(line: string): string {
  const bytes = new TextEncoder().encode(line);
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let current = '';
  for (const ch of line) {
    if (new TextEncoder().encode(current + ch).length > (parts.length === 0 ? 75 : 74)) {
      parts.push(current);
      current = '';
    }
    current += ch;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

export function icsEvent(event: IcsEvent): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Slotcast//Booking//EN',
    'CALSCALE:GREGORIAN',
    `METHOD:${event.method ?? 'PUBLISH'}`,
    'BEGIN:VEVENT',
    `UID:${escapeText(toOneLine(event.uid))}`,
    `SEQUENCE:${event.sequence ?? 0}`,
    `DTSTAMP:${utc(event.stamp)}`,
    `DTSTART:${utc(event.startsAt)}`,
    `DTEND:${utc(event.endsAt)}`,
    `SUMMARY:${escapeText(event.summary)}`,
    ...(event.description ? [`DESCRIPTION:${escapeText(event.description)}`] : []),
    ...(event.url ? [`URL:${toOneLine(event.url).replace(/\s/g, '')}`] : []),
    ...(event.organizerName
      ? [`ORGANIZER;CN=${paramValue(event.organizerName)}:mailto:no-reply@slotcast.invalid`]
      : []),
    ...(event.method === 'CANCEL' ? ['STATUS:CANCELLED'] : []),
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(fold).join('\r\n') + '\r\n';
}

/** What a booked session is called: in the email's subject, and in the student's calendar. */
export const sessionTitle = (subject: string, teacherName: string) =>
  subject ? `${subject} with ${teacherName}` : `Session with ${teacherName}`;

/** The calendar event's UID of a booking: kept across reschedules (`bookings.ics_uid`). */
export const sessionUid = (booking: { id: string; icsUid?: string | null }) =>
  booking.icsUid ?? `${booking.id}@slotcast`;

/**
 * The calendar file of one booked session, the same from the confirmation email and from the dashboard: the
 * UID is the booking's (or the first booking's, after a reschedule), so adding it twice updates one event
 * instead of making two, and a new time (higher SEQUENCE) moves it. `canceled` makes the file remove it.
 */
export function sessionIcs(s: {
  bookingId: string;
  /** The booking's `ics_uid`; absent, the booking id's UID. */
  uid?: string | null;
  sequence?: number;
  canceled?: boolean;
  subject: string;
  teacherName: string;
  startsAt: number;
  endsAt: number;
  dashboardUrl: string;
  stamp: number;
}): string {
  return icsEvent({
    uid: sessionUid({ id: s.bookingId, icsUid: s.uid }),
    sequence: s.sequence ?? 0,
    method: s.canceled ? 'CANCEL' : 'PUBLISH',
    startsAt: s.startsAt,
    endsAt: s.endsAt,
    summary: sessionTitle(s.subject, s.teacherName),
    description: `Booked on Slotcast. Your sessions: ${s.dashboardUrl}`,
    url: s.dashboardUrl,
    organizerName: s.teacherName,
    stamp: s.stamp,
  });
}

export const base64 = (text: string) => {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
};
