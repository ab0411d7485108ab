import { formatSlotTime } from '../shared/slot-time.ts';

/**
 * A session's time in emails: the shared formatter in the emails' style (long day with the year, en-GB,
 * whatever language the reader's mail client uses), with the zone's name unless `showZone` is false.
 */
export const formatSession = (startsAt: number, endsAt: number, timeZone: string, showZone = true) =>
  formatSlotTime(startsAt, endsAt, { timeZone, locale: 'en-GB', weekday: 'long', year: true, showZone });
