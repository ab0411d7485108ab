/**
 * Share-link tokens this isolate has just seen open their link (DESIGN.md, "Rate limits"). A portal request
 * spends two budgets before any work: the client address's, so that one client can't try token after token
 * against the database, and the link's, so that no link is read without bound from any number of addresses. A
 * token seen here a moment ago is a real link's, not a guess: its requests spend the link's budget alone,
 * which bounds them as before (the same limit, in the same binding), and one check fewer is one call to the
 * limiter fewer (locally, a round trip to Miniflare's emulation). A token not seen here (a guess, or the first
 * request of a link on this isolate) spends both, as before.
 */
import { systemNow } from '../clock.ts';
import { shareTokenHash } from './tokens.ts';

/** How long a seen link is known (the wall clock: timing, not the request's clock). */
const KNOWN_MS = 5 * 60 * 1000;
const MAX_KNOWN = 1000;

const known = new Map<string, number>();

/** Remembers a link that has just been found and accepted, by its token's hash (the link row's `token_hash`). */
export function rememberKnownLink(tokenHash: string, wallNow = systemNow()): void {
  known.delete(tokenHash);
  if (known.size >= MAX_KNOWN) known.delete(known.keys().next().value!);
  known.set(tokenHash, wallNow);
}

/** True when this token opened its link on this isolate within the last few minutes. */
export function isKnownLink(token: string, wallNow = systemNow()): boolean {
  const hash = shareTokenHash(token);
  const seenAt = known.get(hash);
  if (seenAt === undefined) return false;
  if (wallNow - seenAt > KNOWN_MS) {
    known.delete(hash);
    return false;
  }
  return true;
}
