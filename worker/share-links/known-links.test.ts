import { describe, expect, it } from 'vitest';
import { isKnownLink, rememberKnownLink } from './known-links.ts';
import { shareTokenHash } from './tokens.ts';

describe('links this isolate has just seen open', () => {
  const t0 = 1_800_000_000_000;

  it('knows a token only after its link was accepted, and only for five minutes', () => {
    const token = 'a'.repeat(32);
    expect(isKnownLink(token, t0)).toBe(false);
    rememberKnownLink(shareTokenHash(token), t0);
    expect(isKnownLink(token, t0 + 5 * 60_000)).toBe(true);
    expect(isKnownLink(token, t0 + 5 * 60_000 + 1)).toBe(false);
    // Forgotten once stale: seen again later, it is known afresh from then.
    expect(isKnownLink(token, t0)).toBe(false);
  });

  it('never knows a token it was not shown, however similar', () => {
    rememberKnownLink(shareTokenHash('b'.repeat(32)), t0);
    expect(isKnownLink('b'.repeat(31), t0)).toBe(false);
    expect(isKnownLink('B'.repeat(32), t0)).toBe(false);
  });

  it('holds at most a thousand links, dropping the oldest', () => {
    const tokens = Array.from({ length: 1001 }, (_, i) => `token-${i}`);
    for (const token of tokens) rememberKnownLink(shareTokenHash(token), t0);
    expect(isKnownLink(tokens[0]!, t0)).toBe(false);
    expect(isKnownLink(tokens[1000]!, t0)).toBe(true);
  });
});
