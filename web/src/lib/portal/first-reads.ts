/**
 * The portal's two first reads, started by the page's load function (book/…/+page.ts) alongside the page's
 * scripts instead of after it has rendered, and taken by the page and My bookings (lib/early-read.ts). The
 * calendar's key names its range, so a different first range (another zone chosen meanwhile) reads afresh.
 */
import { api, call } from '../api.ts';
import { isIsoDate, mondayOf, todayIn } from '#shared/dates.ts';
import { BLOCK_WEEKS, blockStart, dayRange } from './portal-calendar.ts';

export const readPortalCalendar = (token: string, from: number, to: number) =>
  call(api.booking[':token'].calendar.$get({ param: { token }, query: { from: String(from), to: String(to) } }));
export const readMyBookings = (token: string) => call(api.booking[':token']['my-bookings'].$get({ param: { token } }));

export const calendarReadKey = (token: string, from: number, to: number) => `portal:${token}:calendar:${from}-${to}`;
export const myBookingsKey = (token: string) => `portal:${token}:my-bookings`;

/** The block of weeks the page reads first: the one holding the week the address names, else this week's. */
export function firstRange(week: string | null, timeZone: string): { from: number; to: number } {
  const thisMonday = mondayOf(todayIn(timeZone));
  const shown = week && isIsoDate(week) ? mondayOf(week) : thisMonday;
  return dayRange(blockStart(shown, thisMonday), BLOCK_WEEKS * 7, timeZone);
}
