/**
 * ID tokens are checked with `jose` before any claim is trusted: the signature against the provider's
 * published keys (JWKS), the issuer, the audience (our client id), the expiry and the nonce we sent.
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

/** Keys per JWKS URL, per isolate; jose refetches when it meets a key id it doesn't know. */
const keySets = new Map<string, JWTVerifyGetKey>();

function keysAt(jwksUri: string): JWTVerifyGetKey {
  let keys = keySets.get(jwksUri);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 5_000 });
    keySets.set(jwksUri, keys);
  }
  return keys;
}

export interface IdTokenExpectations {
  /** The issuer, or a function of the claims for Entra ID's multi-tenant endpoints ("{tenantid}"). */
  issuer: string | ((claims: JWTPayload) => string);
  audience: string;
  nonce: string;
  now: number;
  /** A key set to use instead of fetching `jwksUri` (unit tests). */
  keys?: JWTVerifyGetKey;
  jwksUri?: string;
}

export class IdTokenRejected extends Error {
  constructor(readonly reason: 'signature' | 'claims' | 'nonce' | 'issuer') {
    super(`ID token rejected: ${reason}`);
  }
}

export async function verifyIdToken(idToken: string, expected: IdTokenExpectations): Promise<JWTPayload> {
  const keys = expected.keys ?? (expected.jwksUri ? keysAt(expected.jwksUri) : null);
  if (!keys) throw new IdTokenRejected('signature');
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, keys, {
      audience: expected.audience,
      currentDate: new Date(expected.now),
      clockTolerance: 60,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
    }));
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' || code === 'ERR_JWKS_NO_MATCHING_KEY')
      throw new IdTokenRejected('signature');
    if (code === 'ERR_JWKS_TIMEOUT' || error instanceof TypeError) throw error;
    throw new IdTokenRejected('claims');
  }
  const issuer = typeof expected.issuer === 'function' ? expected.issuer(payload) : expected.issuer;
  if (payload.iss !== issuer) throw new IdTokenRejected('issuer');
  if (payload.nonce !== expected.nonce) throw new IdTokenRejected('nonce');
  return payload;
}
