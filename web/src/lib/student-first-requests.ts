/**
 * The student dashboard's first reads, as plain keys and addresses: the shell's inline script
 * (student-shell-script.ts) fetches each address and the page (routes/student/+page.ts, the layout's session
 * check) takes it under the same key. No API client here: the inline script is built from this file; each
 * address is the one the typed client asks for the same read.
 */
export const STUDENT_FIRST_READS = {
  me: { key: 'auth.me', path: '/api/auth/me' },
  sessions: { key: 'student.sessions.upcoming', path: '/api/student/sessions?filter=upcoming' },
  availability: { key: 'student.availability', path: '/api/student/availability' },
  sharing: { key: 'student.sharing', path: '/api/student/sharing' },
  accounts: { key: 'auth.accounts', path: '/api/auth/oauth/accounts' },
} as const;
