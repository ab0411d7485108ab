// The trail's first page (the default filters: everything in the last 30 days) and the student list for its
// filter start here, alongside the teacher layout's session check (lib/early-read.ts); the page takes them.
import { api, call } from '../../../lib/api.ts';
import { startRead } from '../../../lib/early-read.ts';
import { warmIntl } from '../../../lib/warm-intl.ts';
import { DEFAULT_PERIOD_DAYS, firstPageKey } from './first-page.ts';
import type { PageLoad } from './$types';

const DAY = 24 * 60 * 60 * 1000;

export const load: PageLoad = () => {
  const query = { from: String(Date.now() - DEFAULT_PERIOD_DAYS * DAY) };
  startRead(firstPageKey, async () => ({ query, page: await call(api.teacher.audit.$get({ query })) }));
  startRead('teacher.students', () => call(api.teacher.students.$get()));
  // The trail formats dates and names the zone: their data loads meanwhile, in a task of its own (lib/warm-intl.ts).
  warmIntl();
  return {};
};
