import { formatSlotTime } from '../shared/slot-time.ts';
import { readableZone } from '../shared/time-zones.ts';

/**
 * A session's time in emails: the shared formatter in the emails' style (long day with the year, en-GB,
 * whatever language the reader's mail client uses), followed by the zone as a person reads it, "(New York,
 * Eastern Time, GMT-5)" with the offset of the session's day, unless `showZone` is false (subjects stay short).
 */
export function formatSession(startsAt: number, endsAt: number, timeZone: string, showZone = true): string {
  const when = formatSlotTime(startsAt, endsAt, { timeZone, locale: 'en-GB', weekday: 'long', year: true });
  return showZone ? `${when} (${readableZone(timeZone, startsAt, 'en-GB')})` : when;
}
