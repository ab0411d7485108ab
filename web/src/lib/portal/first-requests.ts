/**
 * What the portal reads first, as plain addresses: the block of weeks its calendar read covers and the keys the
 * reads are handed over under. No API client here: the portal shell's inline script (shell-script.ts) is built
 * from this file too, and must stay a few KB.
 */
import { isIsoDate, mondayOf, todayIn } from '#shared/dates.ts';
import { BLOCK_WEEKS, blockStart, dayRange } from './portal-calendar.ts';

export const calendarReadKey = (token: string, from: number, to: number) => `portal:${token}:calendar:${from}-${to}`;
export const myBookingsKey = (token: string) => `portal:${token}:my-bookings`;

/** The paths the API client builds for the two reads (`api.booking[':token']…`), for a plain `fetch`. */
export const calendarPath = (token: string, from: number, to: number) =>
  `/api/booking/${encodeURIComponent(token)}/calendar?from=${from}&to=${to}`;
export const myBookingsPath = (token: string) => `/api/booking/${encodeURIComponent(token)}/my-bookings`;

/** The block of weeks the page reads first: the one holding the week the address names, else this week's. */
export function firstRange(week: string | null, timeZone: string): { from: number; to: number } {
  const thisMonday = mondayOf(todayIn(timeZone));
  const shown = week && isIsoDate(week) ? mondayOf(week) : thisMonday;
  return dayRange(blockStart(shown, thisMonday), BLOCK_WEEKS * 7, timeZone);
}
