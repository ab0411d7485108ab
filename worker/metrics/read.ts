/**
 * The health figures a reader sees: requests, errors and response times over a period, in total and per day,
 * summed from the `request_metrics` rows (written by buffer.ts).
 */
import { and, eq, gte, lt, sql } from 'drizzle-orm';
import { requestMetrics } from '../../db/schema.ts';
import type { Db } from '../db.ts';
import type { MetricScope } from './buffer.ts';
import { BUCKET_COUNT, estimatePercentile } from './histogram.ts';

/** Rows are summed per quarter hour in SQL: every time zone's offset is a whole number of quarter hours. */
const QUARTER_MS = 15 * 60_000;

export interface HealthFigures {
  requests: number;
  errors5xx: number;
  errors4xx: number;
  /** Shares of the requests, 0..1 (0 when there were none). */
  errorRate5xx: number;
  errorRate4xx: number;
  meanMs: number | null;
  /** Estimated from the latency histogram (histogram.ts). */
  p50Ms: number | null;
  p95Ms: number | null;
}

interface Sums {
  count: number;
  errors5xx: number;
  errors4xx: number;
  sumMs: number;
  histogram: number[];
}

const emptySums = (): Sums => ({
  count: 0,
  errors5xx: 0,
  errors4xx: 0,
  sumMs: 0,
  histogram: Array(BUCKET_COUNT).fill(0),
});

function addTo(into: Sums, row: Sums) {
  into.count += row.count;
  into.errors5xx += row.errors5xx;
  into.errors4xx += row.errors4xx;
  into.sumMs += row.sumMs;
  row.histogram.forEach((n, i) => (into.histogram[i]! += n));
}

function figures(s: Sums): HealthFigures {
  const share = (n: number) => (s.count === 0 ? 0 : n / s.count);
  return {
    requests: s.count,
    errors5xx: s.errors5xx,
    errors4xx: s.errors4xx,
    errorRate5xx: share(s.errors5xx),
    errorRate4xx: share(s.errors4xx),
    meanMs: s.count === 0 ? null : Math.round(s.sumMs / s.count),
    p50Ms: estimatePercentile(s.histogram, 0.5),
    p95Ms: estimatePercentile(s.histogram, 0.95),
  };
}

const total = (column: string) => sql<number>`sum(${sql.raw(column)})`.mapWith(Number);

/**
 * The figures of one scope (the whole app, or one teacher's portal) for the minutes in [from, to), in total
 * and per calendar day in `timeZone` (days without requests are left out).
 */
export async function healthFigures(
  db: Db,
  who: { scope: MetricScope; teacherId: string },
  range: { from: number; to: number },
  timeZone: string,
): Promise<{ total: HealthFigures; days: ({ date: string } & HealthFigures)[] }> {
  const quarter = sql<number>`${requestMetrics.minute} / ${QUARTER_MS}`.mapWith(Number);
  const rows = await db
    .select({
      quarter,
      count: total('count'),
      errors5xx: total('errors_5xx'),
      errors4xx: total('errors_4xx'),
      sumMs: total('sum_ms'),
      ...Object.fromEntries(Array.from({ length: BUCKET_COUNT }, (_, i) => [`h${i}`, total(`h${i}`)])),
    })
    .from(requestMetrics)
    .where(
      and(
        eq(requestMetrics.scope, who.scope),
        eq(requestMetrics.teacherId, who.teacherId),
        gte(requestMetrics.minute, range.from),
        lt(requestMetrics.minute, range.to),
      ),
    )
    .groupBy(quarter)
    .orderBy(quarter);
  const dayOf = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const all = emptySums();
  const days = new Map<string, Sums>();
  for (const row of rows) {
    const record = row as unknown as Record<string, number>;
    const sums: Sums = {
      count: row.count,
      errors5xx: row.errors5xx,
      errors4xx: row.errors4xx,
      sumMs: row.sumMs,
      histogram: Array.from({ length: BUCKET_COUNT }, (_, i) => record[`h${i}`] ?? 0),
    };
    addTo(all, sums);
    const date = dayOf.format(row.quarter * QUARTER_MS);
    const day = days.get(date) ?? emptySums();
    addTo(day, sums);
    days.set(date, day);
  }
  return { total: figures(all), days: [...days].map(([date, sums]) => ({ date, ...figures(sums) })) };
}
