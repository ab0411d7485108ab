import { describe, expect, it } from 'vitest';
import { secondsLeftInWindow } from './rate-limit.ts';

describe('seconds left in a rate-limit window', () => {
  it('counts to the next multiple of the period, rounded up, never 0', () => {
    expect(secondsLeftInWindow(60_000)).toBe(60);
    expect(secondsLeftInWindow(60_001)).toBe(60);
    expect(secondsLeftInWindow(119_000)).toBe(1);
    expect(secondsLeftInWindow(119_999)).toBe(1);
    expect(secondsLeftInWindow(75_500)).toBe(45);
    expect(secondsLeftInWindow(15_000, 10)).toBe(5);
  });
});
