/**
 * The first date a page formats with `Intl` costs far more than the rest: the browser loads its date and
 * time-zone name data then (some 30 ms on a fast laptop, four times that on a slow phone). A page that will
 * name a zone calls this from its load function, so that cost is paid in a task of its own while the page's
 * first reads are on the network, not inside the render that shows their answer. The portal's and the student
 * dashboard's HTML shells pay it earlier still, in their inline script (`warmIntlNow`), while the page's scripts
 * download. No API client here: those scripts are built from this file.
 */
import { formatDateTime } from '#shared/slot-time.ts';
import { describeZone } from '#shared/time-zones.ts';
import { browserTimeZone } from './browser-zone.ts';

/** Loads the date and zone-name data now: a zone named, and a day and time formatted, in `timeZone`. */
export function warmIntlNow(timeZone = browserTimeZone()): void {
  describeZone(timeZone);
  formatDateTime(Date.now(), { timeZone, year: true });
}

/** `timeZone` left out: the browser's, looked up inside the task too (that lookup is the first format's cost). */
export function warmIntl(timeZone?: string): void {
  setTimeout(() => warmIntlNow(timeZone));
}
