/**
 * base64url without padding, on the runtime's native `Buffer` (workerd's `nodejs_compat`). Sealed email
 * payloads and live tickets cross it on every booking, email and socket; in workerd, JavaScript took 180 µs
 * to decode one sealed payload and 12 to encode it (`npm run bench -- codec`; DESIGN.md, "Statements built
 * once").
 */
import { Buffer } from 'node:buffer';

export const toBase64url = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');

/**
 * Throws unless the text is exactly what `toBase64url` makes of its bytes. Buffer alone skips characters
 * outside the alphabet and takes `+`, `/` and padding too, so two different texts would decode alike; a text
 * that encodes back to itself is the one encoding of its bytes. (A regular expression did the same check for
 * ten times the CPU in workerd.)
 */
export function fromBase64url(text: string): Uint8Array {
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) throw new TypeError('Not base64url.');
  return new Uint8Array(bytes);
}
