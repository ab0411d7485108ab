/**
 * Reads an email's calendar attachment with an independent iCalendar parser (ical.js), so tests check what a
 * calendar application would understand, not what our own writer meant.
 */
import ICAL from 'ical.js';
import type { ReceivedEmail } from './mailbox.ts';

export interface ParsedIcs {
  method: string | null;
  uid: string;
  sequence: number;
  status: string | null;
  startsAt: number;
  endsAt: number;
  summary: string;
}

export function parseIcs(text: string): ParsedIcs {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const vevent = calendar.getFirstSubcomponent('vevent');
  if (!vevent) throw new Error('no VEVENT in the calendar file');
  const event = new ICAL.Event(vevent);
  return {
    method: (calendar.getFirstPropertyValue('method') as string | null) ?? null,
    uid: event.uid,
    sequence: event.sequence,
    status: (vevent.getFirstPropertyValue('status') as string | null) ?? null,
    startsAt: event.startDate.toJSDate().getTime(),
    endsAt: event.endDate.toJSDate().getTime(),
    summary: event.summary,
  };
}

/** The email's `.ics` attachment, parsed. */
export function icsOf(email: Pick<ReceivedEmail, 'attachments'>): ParsedIcs {
  const file = email.attachments.find((a) => a.filename.endsWith('.ics'));
  if (!file)
    throw new Error(`no .ics attachment (attachments: ${email.attachments.map((a) => a.filename).join(', ')})`);
  return parseIcs(Buffer.from(file.contentBase64, 'base64').toString('utf8'));
}
