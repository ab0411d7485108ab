import type { shareLinks } from '../../db/schema.ts';

type ShareLink = typeof shareLinks.$inferSelect;
export type LinkState = 'active' | 'expired' | 'revoked' | 'used_up';

/** What a link can do now. Revoked wins over expired, expired over used up. */
export function linkState(
  link: Pick<ShareLink, 'revokedAt' | 'expiresAt' | 'maxUses' | 'useCount'>,
  now: number,
): LinkState {
  if (link.revokedAt !== null) return 'revoked';
  if (link.expiresAt <= now) return 'expired';
  if (link.maxUses !== null && link.useCount >= link.maxUses) return 'used_up';
  return 'active';
}

/** The link as the teacher sees it (the URL is added by the caller, which can unseal the token). */
export function linkSummary(link: ShareLink, now: number) {
  return {
    id: link.id,
    state: linkState(link, now),
    createdAt: link.createdAt,
    expiresAt: link.expiresAt,
    maxUses: link.maxUses,
    useCount: link.useCount,
    remainingBookings: link.maxUses === null ? null : Math.max(0, link.maxUses - link.useCount),
    accessCount: link.accessCount,
    lastAccessedAt: link.lastAccessedAt,
    revokedAt: link.revokedAt,
  };
}
