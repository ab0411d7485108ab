// The default period's figures are read here, alongside the teacher layout's session check instead of after the
// page has rendered (lib/early-read.ts): one round trip less before they show.
import { startRead } from '../../../lib/early-read.ts';
import { warmIntl } from '../../../lib/warm-intl.ts';
import { DEFAULT_DAYS, firstReadKey, readHealth } from './first-read.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = () => {
  startRead(firstReadKey, () => readHealth(DEFAULT_DAYS));
  // The page formats days and names the zone: their data loads meanwhile, in a task of its own.
  warmIntl();
  return {};
};
