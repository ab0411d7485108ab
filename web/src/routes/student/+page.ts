// The dashboard's four reads start here, alongside the student layout's session check (lib/early-read.ts), or
// are taken from the page's HTML shell, which started them before the scripts arrived (lib/student-shell-script.ts).
// The page shows its sections once all four have answered, in one pass: shown as each arrived, every section
// pushed the ones below it down.
import { api, call } from '../../lib/api.ts';
import { startRead } from '../../lib/early-read.ts';
import { STUDENT_FIRST_READS as reads } from '../../lib/student-first-requests.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = () => ({
  ready: Promise.allSettled([
    startRead(reads.sessions.key, () => call(api.student.sessions.$get({ query: { filter: 'upcoming' } }))),
    startRead(reads.availability.key, () => call(api.student.availability.$get())),
    startRead(reads.sharing.key, () => call(api.student.sharing.$get())),
    startRead(reads.accounts.key, () => call(api.auth.oauth.accounts.$get())),
  ]),
});
