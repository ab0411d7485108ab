/**
 * A small fixed latency histogram: requests counted by duration into eight buckets. Fixed bounds make buckets
 * from many isolates and minutes add up by plain addition, which is what lets the metrics be written as
 * additive upserts (request_metrics) and summed by SQL.
 */

/** Upper bounds (inclusive, ms) of the first seven buckets; the eighth holds everything slower. */
export const BUCKET_BOUNDS_MS = [25, 50, 100, 250, 500, 1000, 2500] as const;
export const BUCKET_COUNT = BUCKET_BOUNDS_MS.length + 1;

/** The bucket a duration falls in. */
export function bucketIndex(ms: number): number {
  for (let i = 0; i < BUCKET_BOUNDS_MS.length; i++) if (ms <= BUCKET_BOUNDS_MS[i]!) return i;
  return BUCKET_BOUNDS_MS.length;
}

/**
 * Estimates the duration below which `quantile` (0..1) of the requests fall, from bucket counts: the bucket
 * holding that rank is found, and the duration interpolated linearly inside it (as Prometheus'
 * histogram_quantile does). The open last bucket has no upper end, so a rank there answers its lower bound,
 * 2500 ms: "at least this slow". Null when nothing was counted.
 */
export function estimatePercentile(buckets: readonly number[], quantile: number): number | null {
  const total = buckets.reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const rank = quantile * total;
  let below = 0;
  for (let i = 0; i < BUCKET_COUNT; i++) {
    const inBucket = buckets[i] ?? 0;
    if (inBucket > 0 && below + inBucket >= rank) {
      const lower = i === 0 ? 0 : BUCKET_BOUNDS_MS[i - 1]!;
      const upper = BUCKET_BOUNDS_MS[i];
      if (upper === undefined) return lower;
      return Math.round(lower + ((upper - lower) * (rank - below)) / inBucket);
    }
    below += inBucket;
  }
  return BUCKET_BOUNDS_MS[BUCKET_BOUNDS_MS.length - 1]!;
}
