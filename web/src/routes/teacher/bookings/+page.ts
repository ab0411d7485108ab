// The upcoming list's read starts here, alongside the teacher layout's session check (lib/early-read.ts).
import { api, call } from '../../../lib/api.ts';
import { startRead } from '../../../lib/early-read.ts';
import { warmIntl } from '../../../lib/warm-intl.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = () => {
  startRead('teacher.bookings.upcoming', () => call(api.teacher.bookings.$get({ query: { filter: 'upcoming' } })));
  // The list formats dates and names the zone: their data loads meanwhile, in a task of its own (lib/warm-intl.ts).
  warmIntl();
  return {};
};
