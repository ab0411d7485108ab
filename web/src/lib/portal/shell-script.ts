/**
 * The portal shell's inline script (lib/shell-reads.ts): the address holds the token, and the zone and the
 * weeks are worked out as the page will (+page.ts), so the page finds both first reads under its own keys.
 */
import { browserTimeZone } from '../browser-zone.ts';
import { startShellReads } from '../shell-reads.ts';
import { calendarPath, calendarReadKey, firstRange, myBookingsKey, myBookingsPath } from './first-requests.ts';
import { initialZone } from './time-zones.ts';
import { warmIntlNow } from '../warm-intl.ts';

const link = /^\/book\/([^/]+)\/([^/]+)\/?$/.exec(location.pathname);
if (link) {
  const token = decodeURIComponent(link[2]!);
  // My bookings first: it needs no date arithmetic, and the first `Intl` call below loads the zone data.
  startShellReads([[myBookingsKey(token), myBookingsPath(token)]]);
  const zone = initialZone(token, browserTimeZone());
  const { from, to } = firstRange(new URLSearchParams(location.search).get('week'), zone);
  startShellReads([[calendarReadKey(token, from, to), calendarPath(token, from, to)]]);
  // The page names the zone and formats times: their data loads now, while the page's scripts download.
  warmIntlNow(zone);
}
