// The panel's one request starts here, alongside the teacher layout's session check instead of after it:
// one round trip less before 200 rows can show. The page awaits the promise and shows its error.
import { api, call } from '../../../lib/api.ts';
import { warmIntl } from '../../../lib/warm-intl.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = () => {
  const panel = call(api.teacher.students.$get());
  // Handled by the page once it mounts; this only keeps an early failure from counting as unhandled.
  panel.catch(() => {});
  // The panel formats dates and names zones: their data loads meanwhile, in a task of its own (lib/warm-intl.ts).
  warmIntl();
  return { panel };
};
