/**
 * Hashes on the runtime's own native code (`node:crypto`, which workerd provides under `nodejs_compat`): every
 * share-link request hashes its token, every signed-in request its session secret, every audit entry its
 * client's address. Synchronous, so an audit statement can be built without an `await` (a drizzle query is a
 * thenable, and an async function returning one would run it instead of handing it to the batch).
 */
import { createHash, createHmac } from 'node:crypto';
import { constantTimeEqual } from '@oslojs/crypto/subtle';

export const sha256Bytes = (value: string): Uint8Array => createHash('sha256').update(value).digest();
export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');
export { constantTimeEqual };

/** Keyed hash (HMAC-SHA-256) for values we must correlate but never store raw (client IPs in the audit log). */
export function hmacHex(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value).digest('hex');
}
