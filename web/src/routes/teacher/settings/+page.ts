// The page's three reads start here, alongside the teacher layout's session check, instead of after the page
// has rendered (lib/early-read.ts): the settings form, the API keys and the sign-in methods take them.
import { api, call } from '../../../lib/api.ts';
import { startRead } from '../../../lib/early-read.ts';
import { warmIntl } from '../../../lib/warm-intl.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = () => {
  startRead('teacher.settings', () => call(api.teacher.settings.$get()));
  startRead('teacher.api-keys', () => call(api.teacher['api-keys'].$get()));
  startRead('auth.accounts', () => call(api.auth.oauth.accounts.$get()));
  // The page names zones and formats dates: their data loads meanwhile, in a task of its own (lib/warm-intl.ts).
  warmIntl();
  return {};
};
