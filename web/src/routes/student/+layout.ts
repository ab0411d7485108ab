// The student dashboard needs a student's session: checked here, before the page renders.
import { requireRole } from '../../lib/session.svelte.ts';
import type { LayoutLoad } from './$types';

// Prerendered as an empty shell (no data: ssr is off), so its HTML preloads the page's scripts and styles.
export const prerender = true;

export const load: LayoutLoad = async () => ({ me: await requireRole('student') });
