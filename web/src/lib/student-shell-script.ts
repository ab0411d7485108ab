/**
 * The student dashboard shell's inline script (lib/shell-reads.ts): the session check of the student area's
 * layout and the dashboard's four reads (routes/student/+page.ts), under the keys they take them by; and the
 * browser's date data, loaded while the page's scripts download (lib/warm-intl.ts).
 */
import { startShellReads } from './shell-reads.ts';
import { warmIntlNow } from './warm-intl.ts';

const reads: [key: string, path: string][] = [
  ['auth.me', '/api/auth/me'],
  ['student.sessions.upcoming', '/api/student/sessions?filter=upcoming'],
  ['student.availability', '/api/student/availability'],
  ['student.sharing', '/api/student/sharing'],
  ['auth.accounts', '/api/auth/oauth/accounts'],
];

if (location.pathname === '/student' || location.pathname === '/student/') {
  startShellReads(reads);
  // The sessions' times are formatted in the browser's zone: the date data loads now, while the scripts download.
  warmIntlNow();
}
