/** The health page's first read: the default period, started by +page.ts and taken by the page. */
import { api, call } from '../../../lib/api.ts';

export const DEFAULT_DAYS = 7;
export const firstReadKey = 'teacher.health';
const DAY_MS = 24 * 60 * 60 * 1000;

/** The figures of the `days` up to `to`. */
export const readHealth = (days: number, to = Date.now()) =>
  call(api.teacher.health.$get({ query: { from: String(to - days * DAY_MS), to: String(to) } }));
