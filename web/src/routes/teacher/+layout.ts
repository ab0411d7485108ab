// Every teacher page needs a teacher's session: checked once here, before any of them renders.
import { requireRole } from '../../lib/session.svelte.ts';
import type { LayoutLoad } from './$types';

// Prerendered as empty shells (no data: ssr is off), so each page's HTML preloads its own scripts and styles.
export const prerender = true;

export const load: LayoutLoad = async () => ({ me: await requireRole('teacher') });
