// The portal's page shell is prerendered once, for a placeholder link, so its HTML names the page's scripts and
// styles and the browser fetches them with the app's entry instead of after it. web/static/_redirects serves
// this one shell for every /book/<teacher>/<token> address; the page reads the real link from the address.
// In the browser, the page's first reads were started by the shell's inline script (lib/portal/shell-script.ts);
// `startRead` takes them, or starts them when it didn't (lib/early-read.ts, lib/portal/first-reads.ts).
import { browserTimeZone } from '../../../../lib/api.ts';
import { startRead } from '../../../../lib/early-read.ts';
import {
  calendarReadKey,
  firstRange,
  myBookingsKey,
  readMyBookings,
  readPortalCalendar,
} from '../../../../lib/portal/first-reads.ts';
import { initialZone } from '../../../../lib/portal/time-zones.ts';
import { warmIntl } from '../../../../lib/warm-intl.ts';
import type { EntryGenerator, PageLoad } from './$types';

export const prerender = true;
export const entries: EntryGenerator = () => [{ teacherId: 'shell', token: 'shell' }];

export const load: PageLoad = ({ params, url }) => {
  const { token } = params;
  startRead(myBookingsKey(token), () => readMyBookings(token));
  const zone = initialZone(token, browserTimeZone());
  const { from, to } = firstRange(url.searchParams.get('week'), zone);
  startRead(calendarReadKey(token, from, to), () => readPortalCalendar(token, from, to));
  // The page names the zone ("Berlin time (GMT+1)"): its name data loads while the reads are under way.
  warmIntl(zone);
  return {};
};
