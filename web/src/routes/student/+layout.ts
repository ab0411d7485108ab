// The student dashboard needs a student's session: checked here, before the page renders.
import { requireRole } from '../../lib/session.svelte.ts';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async () => ({ me: await requireRole('student') });
