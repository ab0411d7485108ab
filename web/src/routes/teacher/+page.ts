// Without a ?week, the calendar opens on the week of the teacher's next slot (not an empty week when the next
// slots are weeks away): one read of the coming weeks, then the week's address, so Back and reload agree.
import { redirect } from '@sveltejs/kit';
import { api, call } from '../../lib/api.ts';
import { mondayOf, today } from '../../lib/time.ts';
import { weekToOpen } from '../../lib/week-grid.ts';
import type { PageLoad } from './$types';

/** How far ahead the first screen looks for a slot: the most the calendar API answers in one read. */
const LOOK_AHEAD_DAYS = 62;

export const load: PageLoad = async ({ url, parent }) => {
  if (url.searchParams.has('week')) return {};
  const { me } = await parent();
  const timeZone = me.teacher?.timeZone ?? 'UTC';
  const now = Date.now();
  const ahead = await call(
    api.teacher.calendar.$get({ query: { from: String(now), to: String(now + LOOK_AHEAD_DAYS * 86_400_000) } }),
  ).catch(() => null);
  const week = weekToOpen(ahead?.slots ?? [], now, timeZone);
  // This week stays at the bare address; only a later week is named in it.
  if (!week.equals(mondayOf(today(timeZone)))) redirect(307, `/teacher?week=${week}`);
  return {};
};
