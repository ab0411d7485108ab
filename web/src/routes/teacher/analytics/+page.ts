// The default period's two reads start here, alongside the teacher layout's session check instead of after the
// page has rendered: one round trip less before the figures show. The page awaits them and shows their error.
import { api, call } from '../../../lib/api.ts';
import { warmIntl } from '../../../lib/warm-intl.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = () => {
  const first = Promise.all([
    call(api.teacher.analytics.summary.$get({ query: {} })),
    call(api.teacher.analytics['token-usage'].$get({ query: {} })),
  ]);
  // Handled by the page once it mounts; this only keeps an early failure from counting as unhandled.
  first.catch(() => {});
  // The page names the teacher's zone and formats dates: the browser's zone warms the same data meanwhile, in a
  // task of its own (looked up here, in this task, the reads above went out some 100 ms later in Lighthouse).
  warmIntl();
  return { first };
};
