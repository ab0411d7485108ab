/**
 * The student dashboard shell's inline script (lib/shell-reads.ts): the session check of the student area's
 * layout and the dashboard's four reads (routes/student/+page.ts), under the keys they take them by; and the
 * browser's date data, loaded while the page's scripts download (lib/warm-intl.ts).
 */
import { startShellReads } from './shell-reads.ts';
import { STUDENT_FIRST_READS } from './student-first-requests.ts';
import { warmIntlNow } from './warm-intl.ts';

const reads = Object.values(STUDENT_FIRST_READS).map(({ key, path }): [string, string] => [key, path]);

if (location.pathname === '/student' || location.pathname === '/student/') {
  startShellReads(reads);
  // The sessions' times are formatted in the browser's zone: the date data loads now, while the scripts download.
  warmIntlNow();
}
