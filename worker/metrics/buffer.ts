/**
 * Request metrics kept in this isolate's memory and written together (DESIGN.md, "Health the teacher can
 * see"). Recording a request is a map lookup and a few additions: no database write, no crypto, no parsing.
 * What has gathered is written as one additive upsert batch at most about once a minute per isolate (the
 * first request after the minute passes hands the write to `waitUntil`), or when someone reads the figures.
 */
import { sql } from 'drizzle-orm';
import { requestMetrics } from '../../db/schema.ts';
import type { Db } from '../db.ts';
import { WriteAnswerLost } from '../db-retry.ts';
import { BUCKET_COUNT, bucketIndex } from './histogram.ts';

export type MetricScope = 'app' | 'portal';

interface Tally {
  scope: MetricScope;
  teacherId: string;
  minute: number;
  count: number;
  errors5xx: number;
  errors4xx: number;
  sumMs: number;
  histogram: number[];
}

const MINUTE_MS = 60_000;
/** How long an isolate gathers before it writes (wall clock: timing, not a decision). */
export const METRICS_FLUSH_MS = MINUTE_MS;
/** Tallies held before a write is due anyway, so a busy isolate's memory stays small. */
const MAX_TALLIES = 500;
/** Rows per upsert statement (16 values a row, well under SQLite's variable limit). */
const ROWS_PER_STATEMENT = 100;

let tallies = new Map<string, Tally>();
let lastFlushAt = Date.now();

function add(scope: MetricScope, teacherId: string, minute: number, status: number, ms: number) {
  const key = `${scope}|${teacherId}|${minute}`;
  let tally = tallies.get(key);
  if (!tally) {
    tally = {
      scope,
      teacherId,
      minute,
      count: 0,
      errors5xx: 0,
      errors4xx: 0,
      sumMs: 0,
      histogram: Array(BUCKET_COUNT).fill(0),
    };
    tallies.set(key, tally);
  }
  tally.count++;
  if (status >= 500) tally.errors5xx++;
  else if (status >= 400) tally.errors4xx++;
  tally.sumMs += ms;
  tally.histogram[bucketIndex(ms)]!++;
}

/**
 * Counts one request: always for the whole app, and for the teacher's portal when the request was a portal
 * request whose link named a teacher. `at` is the request's now (the test clock included), which picks the
 * minute. Answers whether a write is due.
 */
export function recordRequest(
  request: { at: number; status: number; ms: number; portalTeacherId?: string | undefined },
  wallNow = Date.now(),
): boolean {
  const minute = request.at - (request.at % MINUTE_MS);
  add('app', '', minute, request.status, request.ms);
  if (request.portalTeacherId) add('portal', request.portalTeacherId, minute, request.status, request.ms);
  return tallies.size >= MAX_TALLIES || wallNow - lastFlushAt >= METRICS_FLUSH_MS;
}

/**
 * Writes everything gathered in this isolate as one batch of additive upserts, and starts gathering afresh.
 * A failed write puts its tallies back (they add to whatever came since), so the next write carries them; a
 * write whose answer was lost after it committed is not repeated (its receipt said so: db-retry.ts).
 */
export async function flushRequestMetrics(db: Db, wallNow = Date.now()): Promise<number> {
  lastFlushAt = wallNow;
  if (tallies.size === 0) return 0;
  const taken = [...tallies.values()];
  tallies = new Map();
  const rows = taken.map((t) => ({
    scope: t.scope,
    teacherId: t.teacherId,
    minute: t.minute,
    count: t.count,
    errors5xx: t.errors5xx,
    errors4xx: t.errors4xx,
    sumMs: t.sumMs,
    h0: t.histogram[0]!,
    h1: t.histogram[1]!,
    h2: t.histogram[2]!,
    h3: t.histogram[3]!,
    h4: t.histogram[4]!,
    h5: t.histogram[5]!,
    h6: t.histogram[6]!,
    h7: t.histogram[7]!,
  }));
  const statements = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    statements.push(
      db
        .insert(requestMetrics)
        .values(rows.slice(i, i + ROWS_PER_STATEMENT))
        .onConflictDoUpdate({
          target: [requestMetrics.scope, requestMetrics.teacherId, requestMetrics.minute],
          set: Object.fromEntries(
            Object.entries(ADDITIVE).map(([key, column]) => [key, sql.raw(`${column} + excluded.${column}`)]),
          ),
        }),
    );
  }
  try {
    await db.batch(statements as [(typeof statements)[number], ...typeof statements]);
  } catch (error) {
    if (error instanceof WriteAnswerLost) return taken.length;
    for (const t of taken) restore(t);
    throw error;
  }
  return taken.length;
}

/** The columns an upsert adds to: the schema's key → its SQL name. */
const ADDITIVE: Record<string, string> = {
  count: 'count',
  errors5xx: 'errors_5xx',
  errors4xx: 'errors_4xx',
  sumMs: 'sum_ms',
  ...Object.fromEntries(Array.from({ length: BUCKET_COUNT }, (_, i) => [`h${i}`, `h${i}`])),
};

function restore(t: Tally) {
  const key = `${t.scope}|${t.teacherId}|${t.minute}`;
  const current = tallies.get(key);
  if (!current) {
    tallies.set(key, t);
    return;
  }
  current.count += t.count;
  current.errors5xx += t.errors5xx;
  current.errors4xx += t.errors4xx;
  current.sumMs += t.sumMs;
  t.histogram.forEach((n, i) => (current.histogram[i]! += n));
}
