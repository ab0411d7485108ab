/**
 * A share link was opened: count it and record a link event. Views are not written one by one: the teacher's
 * calendar object keeps them and writes them together (live/link-views.ts), so a busy portal makes no database
 * write per view. The audit trail reads its "link opened" entries from these events (DESIGN.md, "Audit
 * trail"), so a view writes no audit row of its own.
 */
import type { Env, LinkViewRecord } from '../env.ts';
import { newId } from '../crypto/random.ts';
import { calendarStub } from '../live/publish.ts';
import { describeForLog } from '../log/mask.ts';
import type { ResolvedLink } from './resolve.ts';

/**
 * Meant to run after the answer (waitUntil). Hands the view to the teacher's calendar object, which holds it
 * in its own storage before this returns.
 */
export async function recordLinkView(env: Env, { link }: Pick<ResolvedLink, 'link'>, now: number): Promise<void> {
  const view: LinkViewRecord = { id: newId(), linkId: link.id, at: now };
  await calendarStub(env, link.teacherId).recordLinkView(link.teacherId, view);
}

/**
 * Writes a teacher's buffered link views now, so what is read next (access counts, link events) includes every
 * view so far. Call it before reading them. If it fails, the views stay buffered and the read is at most a
 * few seconds behind: never worth failing the read.
 */
export async function flushLinkViews(env: Env, teacherId: string): Promise<void> {
  try {
    await calendarStub(env, teacherId).flushLinkViews(teacherId);
  } catch (error) {
    console.warn(JSON.stringify({ at: 'flushLinkViews', error: describeForLog(error) }));
  }
}
