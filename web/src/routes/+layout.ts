// Slotcast's pages are a single-page app served as static files; data comes from the API at run time.
export const ssr = false;
export const prerender = false;
