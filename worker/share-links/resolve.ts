import { rememberKnownLink } from './known-links.ts';
import { and, eq, gte, ne } from 'drizzle-orm';
import { shareLinks, students, teachers } from '../../db/schema.ts';
import type { Db } from '../db.ts';
import { statementTemplate } from '../db-template.ts';
import { DomainError } from '../errors.ts';
import { linkState, type LinkState } from './state.ts';
import { isShareTokenShape, shareTokenHash } from './tokens.ts';

export type ResolvedLink = NonNullable<Awaited<ReturnType<typeof findLink>>>;

/** A column of the link whose token has this hash (its teacher, its student), as a subquery for a batch. */
export const ofLinkWithTokenHash = (
  db: Db,
  column: typeof shareLinks.teacherId | typeof shareLinks.studentId,
  tokenHash: string,
) => db.select({ id: column }).from(shareLinks).where(eq(shareLinks.tokenHash, tokenHash));

const linkByTokenHash = statementTemplate((db, { tokenHash }: { tokenHash: string }) =>
  db
    .select({ link: shareLinks, student: students, teacher: teachers })
    .from(shareLinks)
    .innerJoin(students, eq(students.id, shareLinks.studentId))
    .innerJoin(teachers, eq(teachers.id, shareLinks.teacherId))
    .where(eq(shareLinks.tokenHash, tokenHash))
    .limit(1),
);

/** The link with its student and teacher, by the token's hash: a statement a caller may put into its own batch. */
export const linkWithTokenHash = (db: Db, tokenHash: string) => linkByTokenHash(db, { tokenHash });
export const linkQuery = (db: Db, token: string) => linkWithTokenHash(db, shareTokenHash(token));

function findLink(db: Db, token: string) {
  return linkQuery(db, token).then((rows) => rows[0] ?? null);
}

const MESSAGES: Record<Exclude<LinkState, 'active'>, string> = {
  expired: 'This booking link has expired. Ask your teacher for a new one.',
  revoked: 'Your teacher turned this booking link off. Ask them for a new one if you still want to book.',
  used_up: 'This booking link has been used for all the bookings it allows. Ask your teacher for a new one.',
};

/**
 * The link behind a token. A malformed or unknown token gets a 404 that says nothing more; a known one opens
 * only its own teacher's calendar, as its own student.
 */
export async function resolveLink(
  db: Db,
  token: string,
  now: number,
  allow: LinkState[] = ['active'],
  seen?: LinkSeen,
): Promise<ResolvedLink> {
  return judgeLink(db, isShareTokenShape(token) ? await findLink(db, token) : null, now, allow, seen);
}

/**
 * Told about a link that exists, before its state is judged: the portal's routes use it to count the request
 * (a refused one too) as the link's teacher's in the request metrics.
 */
export type LinkSeen = (found: ResolvedLink) => void;

/**
 * What resolveLink decides about the row `linkQuery` found (null: none), for a caller that read it in a batch.
 * An allowed link costs no further read; only a revoked one reads once more (was it replaced?).
 */
export async function judgeLink(
  db: Db,
  found: ResolvedLink | null,
  now: number,
  allow: LinkState[],
  seen?: LinkSeen,
): Promise<ResolvedLink> {
  if (found) seen?.(found);
  if (!found)
    throw new DomainError(
      'link_invalid',
      404,
      'This booking link is not valid. Check that you copied all of it, or ask your teacher for a new one.',
    );
  const state = linkState(found.link, now);
  if (!allow.includes(state)) {
    // Only on this refusal path: a link revoked when a newer one was made reads as replaced, not switched off.
    if (state === 'revoked' && (await wasReplaced(db, found.link)))
      throw new DomainError('link_revoked', 410, REPLACED, { details: { state, replaced: true } });
    throw new DomainError(`link_${state}`, 410, MESSAGES[state as Exclude<LinkState, 'active'>], {
      details: { state },
    });
  }
  rememberKnownLink(found.link.tokenHash);
  return found;
}

const REPLACED = 'This booking link was replaced by a newer one. Use the latest link your teacher sent you.';

/** True when the student got another link when (or after) this one was revoked: a regeneration. */
async function wasReplaced(db: Db, link: ResolvedLink['link']): Promise<boolean> {
  if (link.revokedAt === null) return false;
  const newer = await db
    .select({ id: shareLinks.id })
    .from(shareLinks)
    .where(
      and(
        eq(shareLinks.studentId, link.studentId),
        ne(shareLinks.id, link.id),
        gte(shareLinks.createdAt, link.revokedAt),
      ),
    )
    .limit(1);
  return newer.length > 0;
}
