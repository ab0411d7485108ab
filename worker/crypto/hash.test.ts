import { describe, expect, it } from 'vitest';
import { hmacHex, sha256Bytes, sha256Hex } from './hash.ts';

describe('SHA-256 and HMAC', () => {
  it('gives SHA-256 as the standard does, so stored token hashes still match', () => {
    // FIPS 180-2's "abc" example.
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(sha256Hex('abc')).toBe(abc);
    expect(Buffer.from(sha256Bytes('abc')).toString('hex')).toBe(abc);
    expect(sha256Hex('é')).toBe(Buffer.from(sha256Bytes('é')).toString('hex'));
  });

  it('gives HMAC-SHA-256 as RFC 4231 does, so audit hashes of an address stay comparable', () => {
    // RFC 4231, test case 2.
    expect(hmacHex('Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});
