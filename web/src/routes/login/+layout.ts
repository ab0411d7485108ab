// Prerendered as empty shells (no data: ssr is off), so each page's HTML preloads its own scripts and styles.
export const prerender = true;
