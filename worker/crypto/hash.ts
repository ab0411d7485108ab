import { hmac } from '@oslojs/crypto/hmac';
import { SHA256, sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeHexLowerCase } from '@oslojs/encoding';

const encoder = new TextEncoder();

export const sha256Bytes = (value: string): Uint8Array => sha256(encoder.encode(value));
export const sha256Hex = (value: string): string => encodeHexLowerCase(sha256Bytes(value));
export { constantTimeEqual };

/**
 * Keyed hash (HMAC-SHA-256) for values we must correlate but never store raw (client IPs in the audit log).
 * Synchronous (pure JavaScript), so an audit statement can be built without an `await`: a drizzle query is a
 * thenable, and an async function returning one would run it instead of handing it to the batch.
 */
export function hmacHex(secret: string, value: string): string {
  return encodeHexLowerCase(hmac(SHA256, encoder.encode(secret), encoder.encode(value)));
}
