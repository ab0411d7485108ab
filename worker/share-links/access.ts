/**
 * A share link was opened: count it, record a link event, and audit it at most hourly per link. Views are not
 * written one by one: the teacher's calendar object keeps them and writes them together (live/link-views.ts),
 * so a busy portal makes no database write per view.
 */
import type { Env, LinkViewRecord } from '../env.ts';
import { auditValues } from '../audit.ts';
import { newId } from '../crypto/random.ts';
import { calendarStub } from '../live/publish.ts';
import { describeForLog } from '../log/mask.ts';
import type { ResolvedLink } from './resolve.ts';

const HOUR_MS = 60 * 60 * 1000;

/**
 * Meant to run after the answer (waitUntil). Hands the view to the teacher's calendar object, which holds it
 * in its own storage before this returns.
 */
export async function recordLinkView(
  env: Env,
  { link }: Pick<ResolvedLink, 'link'>,
  client: { ip: string; userAgent?: string },
  now: number,
): Promise<void> {
  // The last access the portal read may be a few seconds behind (views wait in the object); views of one link
  // in one flush still make at most one audit row (link-views.ts).
  const audit = link.lastAccessedAt === null || now - link.lastAccessedAt > HOUR_MS;
  const view: LinkViewRecord = {
    id: newId(),
    linkId: link.id,
    at: now,
    audit: audit
      ? await auditValues(
          env,
          {
            actorType: 'share_link',
            actorId: link.id,
            action: 'share_link.accessed',
            targetType: 'share_link',
            targetId: link.id,
            ip: client.ip,
            userAgent: client.userAgent,
          },
          now,
        )
      : null,
  };
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
