import { describe, expect, it } from 'vitest';
import { BUCKET_COUNT, bucketIndex, estimatePercentile } from './histogram.ts';

const histogram = (counts: Record<number, number>) => Array.from({ length: BUCKET_COUNT }, (_, i) => counts[i] ?? 0);

describe('the latency histogram', () => {
  it('puts a duration in the bucket whose bound holds it, inclusive', () => {
    expect([0, 25, 26, 50, 100, 101, 250, 500, 1000, 2500, 2501, 60_000].map(bucketIndex)).toEqual([
      0, 0, 1, 1, 2, 3, 3, 4, 5, 6, 7, 7,
    ]);
  });

  it('estimates a percentile by interpolating inside the bucket that holds its rank', () => {
    // 100 requests all in 50..100 ms: the median is halfway, 75 ms; p95 at 95% of the way, 97.5 → 98 ms.
    expect(estimatePercentile(histogram({ 2: 100 }), 0.5)).toBe(75);
    expect(estimatePercentile(histogram({ 2: 100 }), 0.95)).toBe(98);
    // 90 fast (≤25 ms) and 10 in 250..500 ms: the median is fast, p95 halfway through the slow bucket.
    const mixed = histogram({ 0: 90, 4: 10 });
    expect(estimatePercentile(mixed, 0.5)).toBe(14);
    expect(estimatePercentile(mixed, 0.95)).toBe(375);
  });

  it('answers the open last bucket with its lower bound, and nothing for no requests', () => {
    expect(estimatePercentile(histogram({ 0: 1, 7: 99 }), 0.95)).toBe(2500);
    expect(estimatePercentile(histogram({}), 0.5)).toBeNull();
  });
});
