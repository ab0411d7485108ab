/**
 * The portal's two first reads, started by the page's load function (book/…/+page.ts) alongside the page's
 * scripts instead of after it has rendered, and taken by the page and My bookings (lib/early-read.ts). When the
 * portal shell's inline script already started them (shell-script.ts), `startRead` takes its responses
 * instead. The calendar's key names its range, so a different first range (another zone chosen meanwhile) reads
 * afresh.
 */
import { api, call } from '../api.ts';

export { calendarReadKey, firstRange, myBookingsKey } from './first-requests.ts';

export const readPortalCalendar = (token: string, from: number, to: number) =>
  call(api.booking[':token'].calendar.$get({ param: { token }, query: { from: String(from), to: String(to) } }));
export const readMyBookings = (token: string) => call(api.booking[':token']['my-bookings'].$get({ param: { token } }));
