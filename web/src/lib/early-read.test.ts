import { describe, expect, it } from 'vitest';
import { startRead, takeRead } from './early-read.ts';

describe('reads started early', () => {
  it('are taken once, by the same key', async () => {
    let reads = 0;
    const read = () => Promise.resolve(++reads);
    void startRead('a', read);
    expect(await takeRead('a', read)).toBe(1);
    expect(await takeRead('a', read)).toBe(2);
    expect(await takeRead('b', read)).toBe(3);
  });
});
