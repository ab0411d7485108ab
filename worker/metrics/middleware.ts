/**
 * Measures every /api request (after the clock is set) for the health figures: its status and duration go to
 * this isolate's tallies (buffer.ts) and, when the binding exists (production), one Analytics Engine data point.
 * Cheap by design: no crypto, no parsing, no database write; a due write of the tallies runs after the answer.
 */
import type { MiddlewareHandler } from 'hono';
import { getDb } from '../db.ts';
import type { AppEnv } from '../http/types.ts';
import { describeForLog } from '../log/mask.ts';
import { flushRequestMetrics, recordRequest } from './buffer.ts';

export const measureRequest: MiddlewareHandler<AppEnv> = async (c, next) => {
  // Duration only (wall clock, as the request log's): no decision is made on it.
  const started = Date.now();
  await next();
  const ms = Date.now() - started;
  const status = c.res.status;
  const portalTeacherId = c.get('portalTeacherId');
  // Analytics Engine: written without waiting; blobs and indexes hold ids only, never a path or token.
  c.env.REQUEST_METRICS?.writeDataPoint({
    indexes: [portalTeacherId ?? ''],
    blobs: [portalTeacherId ? 'portal' : 'app', portalTeacherId ?? '', c.req.method],
    doubles: [ms, status],
  });
  if (recordRequest({ at: c.get('now'), status, ms, portalTeacherId })) {
    c.executionCtx.waitUntil(
      flushRequestMetrics(getDb(c.env)).catch((error) =>
        console.warn(JSON.stringify({ at: 'flushRequestMetrics', error: describeForLog(error) })),
      ),
    );
  }
};
