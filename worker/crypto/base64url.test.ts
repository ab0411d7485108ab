import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from '@oslojs/encoding';
import { describe, expect, it } from 'vitest';
import { fromBase64url, toBase64url } from './base64url.ts';

describe('base64url on the native Buffer', () => {
  it('reads and writes what the JavaScript encoder did, so sealed payloads and tickets already stored still open', () => {
    for (const length of [0, 1, 2, 3, 12, 31, 1100]) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      const text = toBase64url(bytes);
      expect(text).toBe(encodeBase64urlNoPadding(bytes));
      expect(fromBase64url(text)).toEqual(bytes);
      expect(fromBase64url(text)).toEqual(decodeBase64urlIgnorePadding(text));
    }
  });

  it('encodes a view of a larger buffer by its own bytes only', () => {
    const whole = new Uint8Array([1, 2, 3, 4, 5, 6]);
    expect(toBase64url(whole.subarray(2, 5))).toBe(encodeBase64urlNoPadding(new Uint8Array([3, 4, 5])));
  });

  it('refuses any text but the one encoding of its bytes: no skipped characters, no other alphabet, no padding', () => {
    expect(() => fromBase64url('abc!def')).toThrow();
    expect(() => fromBase64url('abc+/def')).toThrow();
    expect(() => fromBase64url('ab cd')).toThrow();
    expect(() => fromBase64url('YQ==')).toThrow();
    // The last character's unused bits set: it would decode to the same byte as 'YQ'.
    expect(() => fromBase64url('YR')).toThrow();
    expect(fromBase64url('YQ')).toEqual(new Uint8Array([0x61]));
  });
});
