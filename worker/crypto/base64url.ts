/**
 * base64url without padding, on the runtime's native `Buffer` (workerd's `nodejs_compat`). Sealed email
 * payloads and live tickets cross it on every booking, email and socket: a JavaScript decoder took about a
 * quarter of a millisecond for one sealed payload, the native one a hundredth of that (DESIGN.md, "Cost per
 * request").
 */
import { Buffer } from 'node:buffer';

const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

export const toBase64url = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');

/** Throws on a character outside the alphabet: Buffer alone would skip it, so two texts would decode alike. */
export function fromBase64url(text: string): Uint8Array {
  if (!BASE64URL.test(text)) throw new TypeError('Not base64url.');
  return new Uint8Array(Buffer.from(text, 'base64url'));
}
