/** The browser's own time zone. No imports: the HTML shells' inline scripts are built from files that use it. */
export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
