import { fromBase64url, toBase64url } from './base64url.ts';

/**
 * AES-256-GCM sealing with a key derived from SECRET_KEY per purpose, for secrets we must read back:
 * email payloads holding one-time links, share-link tokens the teacher copies again.
 */
const keys = new Map<string, Promise<CryptoKey>>();
const encoder = new TextEncoder();

function keyFor(secret: string, purpose: string): Promise<CryptoKey> {
  const cacheKey = `${purpose}:${secret}`;
  let key = keys.get(cacheKey);
  if (!key) {
    key = crypto.subtle
      .importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey'])
      .then((base) =>
        crypto.subtle.deriveKey(
          { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode(`slotcast:${purpose}`) },
          base,
          { name: 'AES-GCM', length: 256 },
          false,
          ['encrypt', 'decrypt'],
        ),
      );
    keys.set(cacheKey, key);
  }
  return key;
}

export async function seal(secret: string, purpose: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv },
    await keyFor(secret, purpose),
    encoder.encode(plaintext),
  );
  const out = new Uint8Array(12 + data.byteLength);
  out.set(iv);
  out.set(new Uint8Array(data), 12);
  return toBase64url(out);
}

export async function unseal(secret: string, purpose: string, sealed: string): Promise<string> {
  const bytes = fromBase64url(sealed);
  const data = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: bytes.slice(0, 12) },
    await keyFor(secret, purpose),
    bytes.slice(12),
  );
  return new TextDecoder().decode(data);
}
