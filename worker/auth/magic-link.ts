/**
 * One-time sign-in links: 160-bit tokens, stored as SHA-256, consumed atomically, short-lived. The link
 * carries the token in the URL fragment, so it never reaches a server or proxy log; the landing page
 * POSTs it, so mail scanners that pre-open links can't consume it.
 */
import { eq, type SQL } from 'drizzle-orm';
import { loginTokens } from '../../db/schema.ts';
import type { Db } from '../db.ts';
import { insertRow } from '../db-template.ts';
import { sha256Hex } from '../crypto/hash.ts';
import { newId, randomToken } from '../crypto/random.ts';

export const LOGIN_LINK_TTL_MS = 15 * 60 * 1000;
/** The first-access link in a booking confirmation (DESIGN.md: at most 24 hours). */
export const FIRST_ACCESS_TTL_MS = 24 * 60 * 60 * 1000;

export type LoginPurpose = (typeof loginTokens.$inferInsert)['purpose'];

export function signInUrl(appUrl: string, token: string): string {
  return `${new URL(appUrl).origin}/login/verify#token=${token}`;
}

/** A fresh token for a sign-in link, and the hash it is stored as. */
export function newLoginTokenSecret() {
  const token = randomToken();
  return { token, tokenHash: sha256Hex(token) };
}

/** The token and the insert that stores its hash; the caller batches the insert with the email. */
/** `userId` and `purpose` may be SQL, for an account created (or not) in the same batch. */
export function newLoginToken(
  db: Db,
  input: { email: string; userId: string | SQL | null; purpose: LoginPurpose | SQL; ttlMs: number },
  now: number,
) {
  const { token, tokenHash } = newLoginTokenSecret();
  const insert = insertRow(db, loginTokens, {
    id: newId(),
    tokenHash,
    email: input.email,
    userId: input.userId,
    purpose: input.purpose,
    expiresAt: now + input.ttlMs,
    createdAt: now,
  });
  return { token, insert };
}

export type ConsumeResult =
  | { ok: true; token: typeof loginTokens.$inferSelect }
  | { ok: false; reason: 'invalid' | 'expired' | 'used'; email: string | null };

/** Why a token can't be used, without consuming anything. */
export async function explainUnusable(
  db: Db,
  token: string,
  now: number,
): Promise<Extract<ConsumeResult, { ok: false }>> {
  const [row] = await db
    .select()
    .from(loginTokens)
    .where(eq(loginTokens.tokenHash, sha256Hex(token)))
    .limit(1);
  if (!row) return { ok: false, reason: 'invalid', email: null };
  if (row.usedAt !== null) return { ok: false, reason: 'used', email: row.email };
  if (row.expiresAt <= now) return { ok: false, reason: 'expired', email: row.email };
  return { ok: false, reason: 'invalid', email: null };
}

export type InspectResult =
  { state: 'valid'; email: string; purpose: LoginPurpose } | { state: 'invalid' | 'expired' | 'used' };

/**
 * What a link would do if used now, without using it: the confirmation page names the address it signs in,
 * so a link planted by someone else can't sign a person into another account unnoticed. Only a usable link
 * names its address (its holder could sign in with it anyway); an expired or used one never does.
 */
export async function inspectLoginToken(db: Db, token: string, now: number): Promise<InspectResult> {
  const [row] = await db
    .select({
      email: loginTokens.email,
      purpose: loginTokens.purpose,
      usedAt: loginTokens.usedAt,
      expiresAt: loginTokens.expiresAt,
    })
    .from(loginTokens)
    .where(eq(loginTokens.tokenHash, sha256Hex(token)))
    .limit(1);
  if (!row) return { state: 'invalid' };
  if (row.usedAt !== null) return { state: 'used' };
  if (row.expiresAt <= now) return { state: 'expired' };
  return { state: 'valid', email: row.email, purpose: row.purpose };
}
