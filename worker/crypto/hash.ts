import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeHexLowerCase } from '@oslojs/encoding';

const encoder = new TextEncoder();

export const sha256Bytes = (value: string): Uint8Array => sha256(encoder.encode(value));
export const sha256Hex = (value: string): string => encodeHexLowerCase(sha256Bytes(value));
export { constantTimeEqual };

/** Imported once per isolate and secret: an import per call was a key schedule on every audited request. */
const hmacKeys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    hmacKeys.set(secret, key);
  }
  return key;
}

/** Keyed hash for values we must correlate but never store raw (client IPs in the audit log). */
export async function hmacHex(secret: string, value: string): Promise<string> {
  const key = await hmacKey(secret);
  return encodeHexLowerCase(new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(value))));
}
