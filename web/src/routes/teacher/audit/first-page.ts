/** The audit page's default period, and the key its first page is read under (lib/early-read.ts). */
export const DEFAULT_PERIOD_DAYS = 30;
export const firstPageKey = 'teacher.audit.first-page';
