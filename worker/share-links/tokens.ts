/**
 * Share-link tokens: 160 random bits, looked up by SHA-256, and sealed with the server key so the teacher
 * can copy the same link again. The raw token exists only in the link itself.
 */
import { sha256Hex } from '../crypto/hash.ts';
import { randomToken } from '../crypto/random.ts';
import { seal, unseal } from '../crypto/seal.ts';

const SEAL_PURPOSE = 'share-link';

export async function newShareToken(secretKey: string) {
  const token = randomToken();
  return { token, tokenHash: sha256Hex(token), tokenSealed: await seal(secretKey, SEAL_PURPOSE, token) };
}

export const shareTokenHash = (token: string) => sha256Hex(token);
export const openShareToken = (secretKey: string, sealed: string) => unseal(secretKey, SEAL_PURPOSE, sealed);

export function shareUrl(appUrl: string, teacherId: string, token: string): string {
  return `${new URL(appUrl).origin}/book/${teacherId}/${token}`;
}

/** Shape check before any lookup, so junk never reaches the database. */
export const isShareTokenShape = (token: string) => /^[a-z2-7]{32}$/.test(token);
