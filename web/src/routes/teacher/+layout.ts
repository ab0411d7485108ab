// Every teacher page needs a teacher's session: checked once here, before any of them renders.
import { requireRole } from '../../lib/session.svelte.ts';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async () => ({ me: await requireRole('teacher') });
