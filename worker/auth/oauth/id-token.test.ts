import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyIdToken, type IdTokenExpectations } from './id-token.ts';

const NOW = Date.UTC(2030, 0, 15, 12);
const ISSUER = 'https://idp.school.example';
let sign: (claims: JWTPayload, key?: CryptoKey) => Promise<string>;
let expected: IdTokenExpectations;
let rogueKey: CryptoKey;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  rogueKey = (await generateKeyPair('RS256')).privateKey;
  const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] });
  const iat = Math.floor(NOW / 1000);
  sign = (claims, key = privateKey) =>
    new SignJWT({ iss: ISSUER, aud: 'slotcast', sub: 'u1', nonce: 'n1', iat, exp: iat + 600, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .sign(key);
  expected = { issuer: ISSUER, audience: 'slotcast', nonce: 'n1', now: NOW, keys: jwks };
});

describe('an ID token is trusted only when', () => {
  it('its signature, issuer, audience, expiry and nonce all check out', async () => {
    await expect(verifyIdToken(await sign({ email: 'a@b.test' }), expected)).resolves.toMatchObject({ sub: 'u1' });
  });
  it('is signed by one of the provider’s published keys', async () => {
    await expect(verifyIdToken(await sign({}, rogueKey), expected)).rejects.toMatchObject({ reason: 'signature' });
  });
  it('is for us', async () => {
    await expect(verifyIdToken(await sign({ aud: 'other' }), expected)).rejects.toMatchObject({ reason: 'claims' });
  });
  it('comes from the issuer', async () => {
    await expect(verifyIdToken(await sign({ iss: 'https://evil.example' }), expected)).rejects.toMatchObject({
      reason: 'issuer',
    });
  });
  it('has not expired', async () => {
    const late = { ...expected, now: NOW + 3600_000 };
    await expect(verifyIdToken(await sign({}), late)).rejects.toMatchObject({ reason: 'claims' });
  });
  it('carries the nonce of this sign-in', async () => {
    await expect(verifyIdToken(await sign({ nonce: 'other' }), expected)).rejects.toMatchObject({ reason: 'nonce' });
    await expect(verifyIdToken(await sign({ nonce: undefined }), expected)).rejects.toMatchObject({ reason: 'nonce' });
  });
});
