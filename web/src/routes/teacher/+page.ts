// Without a ?week, the calendar opens on the week of the teacher's next slot (not an empty week when the next
// slots are weeks away): one read of the coming weeks, then the week's address, so Back and reload agree.
// The read starts at once, alongside the layout's session check, and reaches back far enough to hold this
// week in any time zone; the page's first load takes the week from it (lib/first-calendar-read.ts).
import { redirect } from '@sveltejs/kit';
import { api, call } from '../../lib/api.ts';
import { keepFirstRead } from '../../lib/first-calendar-read.ts';
import { mondayOf, todayIn } from '#shared/dates.ts';
import { warmIntl } from '../../lib/warm-intl.ts';
import { weekToOpen } from '../../lib/week-grid.ts';
import type { PageLoad } from './$types';

const DAY_MS = 86_400_000;
/** The most the calendar API answers in one read. */
const READ_DAYS = 62;
/** This week's Monday is at most 7 days back, plus a day for the widest time-zone difference. */
const BACK_DAYS = 8;

export const load: PageLoad = async ({ url, parent }) => {
  if (url.searchParams.has('week')) {
    warmIntl();
    return {};
  }
  const now = Date.now();
  const from = now - BACK_DAYS * DAY_MS;
  const to = from + READ_DAYS * DAY_MS;
  const read = call(api.teacher.calendar.$get({ query: { from: String(from), to: String(to) } })).catch(() => null);
  // While the reads are on the network; the week's first render then builds its date formats in a moment.
  warmIntl();
  const [{ me }, ahead] = await Promise.all([parent(), read]);
  if (ahead) keepFirstRead(from, to, ahead);
  const timeZone = me.teacher?.timeZone ?? 'UTC';
  const week = weekToOpen(ahead?.slots ?? [], now, timeZone);
  // This week stays at the bare address; only a later week is named in it.
  if (week !== mondayOf(todayIn(timeZone))) redirect(307, `/teacher?week=${week}`);
  return {};
};
