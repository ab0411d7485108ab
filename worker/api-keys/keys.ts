/**
 * Teacher API keys, for other booking systems calling `POST /api/booking/confirm`. A key is 256 bits from the
 * CSPRNG behind a recognisable `sc_` prefix (so secret scanners and people can tell what it is); only its
 * SHA-256 is stored, and the teacher sees the whole key once, when it is made. A fast hash is right here: the
 * key is random, not a password, so there is nothing to guess offline.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { apiKeys, teachers } from '../../db/schema.ts';
import { sha256Hex } from '../crypto/hash.ts';
import { randomToken } from '../crypto/random.ts';
import type { Db } from '../db.ts';
import { DomainError } from '../errors.ts';

const KEY_PREFIX = 'sc_';
/** 32 random bytes in base32: 52 characters. */
const KEY_SHAPE = /^sc_[a-z2-7]{52}$/;
/** How much of a key the list shows, so a teacher can tell keys apart. */
const SHOWN_CHARS = 10;

export const MAX_ACTIVE_KEYS = 10;

export function newApiKey() {
  const secret = KEY_PREFIX + randomToken(32);
  return { secret, hash: sha256Hex(secret), prefix: secret.slice(0, SHOWN_CHARS) };
}

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export function apiKeyView(key: ApiKeyRow) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
    revokedAt: key.revokedAt,
  };
}

const unauthenticated = () =>
  new DomainError(
    'invalid_api_key',
    401,
    'Send a valid Slotcast API key as "Authorization: Bearer sc_…". Teachers create keys in Settings.',
    {
      headers: { 'WWW-Authenticate': 'Bearer realm="slotcast"' },
    },
  );

/** The teacher behind an `Authorization: Bearer sc_…` header; 401 for a missing, malformed, unknown or revoked key. */
export async function authenticateApiKey(db: Db, authorization: string | undefined) {
  const secret = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!secret || !KEY_SHAPE.test(secret)) throw unauthenticated();
  const [found] = await db
    .select({ key: apiKeys, teacher: teachers })
    .from(apiKeys)
    .innerJoin(teachers, eq(teachers.id, apiKeys.teacherId))
    .where(and(eq(apiKeys.keyHash, sha256Hex(secret)), isNull(apiKeys.revokedAt)))
    .limit(1);
  if (!found) throw unauthenticated();
  return found;
}
