/**
 * "Add to Google Calendar" and "Add to Outlook" links: each service's documented compose URL with the
 * session's title, UTC times and a description. They add a copy (neither can update an event by UID), so the
 * `.ics` file stays the way to keep one event in step with reschedules.
 */
import { sessionIcs } from './ics.ts';

export interface CalendarLinkEvent {
  title: string;
  startsAt: number;
  endsAt: number;
  details: string;
}

const compact = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

export function googleCalendarUrl(e: CalendarLinkEvent): string {
  const params = new URLSearchParams({
    action: 'TEMPLATE',
    text: e.title,
    dates: `${compact(e.startsAt)}/${compact(e.endsAt)}`,
    details: e.details,
  });
  return `https://calendar.google.com/calendar/render?${params}`;
}

export function outlookCalendarUrl(e: CalendarLinkEvent): string {
  const params = new URLSearchParams({
    path: '/calendar/action/compose',
    rru: 'addevent',
    subject: e.title,
    startdt: new Date(e.startsAt).toISOString(),
    enddt: new Date(e.endsAt).toISOString(),
    body: e.details,
  });
  return `https://outlook.live.com/calendar/0/deeplink/compose?${params}`;
}

/** The two links, for the layout's `links` block. */
export const calendarLinks = (e: CalendarLinkEvent) => [
  { label: 'Add to Google Calendar', url: googleCalendarUrl(e) },
  { label: 'Add to Outlook', url: outlookCalendarUrl(e) },
];

/**
 * Everything an email gives for putting a session in a calendar: the `.ics` (its UID and SEQUENCE kept across
 * moves, so a calendar updates the one event) and the Google / Outlook links.
 */
export function sessionCalendar(p: {
  bookingId: string;
  icsUid?: string | null;
  icsSequence?: number;
  subject: string;
  teacherName: string;
  startsAt: number;
  endsAt: number;
  dashboardUrl: string;
  createdAt: number;
  title: string;
}) {
  const ics = sessionIcs({
    bookingId: p.bookingId,
    uid: p.icsUid,
    sequence: p.icsSequence,
    subject: p.subject,
    teacherName: p.teacherName,
    startsAt: p.startsAt,
    endsAt: p.endsAt,
    dashboardUrl: p.dashboardUrl,
    stamp: p.createdAt,
  });
  const links = calendarLinks({
    title: p.title,
    startsAt: p.startsAt,
    endsAt: p.endsAt,
    details: `Booked on Slotcast. Your sessions: ${p.dashboardUrl}`,
  });
  return { ics, links };
}
