// The portal's page shell is prerendered once, for a placeholder link, so its HTML names the page's scripts and
// styles and the browser fetches them with the app's entry instead of after it. web/static/_redirects serves
// this one shell for every /book/<teacher>/<token> address; the page reads the real link from the address.
import type { EntryGenerator } from './$types';

export const prerender = true;
export const entries: EntryGenerator = () => [{ teacherId: 'shell', token: 'shell' }];
