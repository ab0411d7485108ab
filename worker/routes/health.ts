/**
 * Health figures (DESIGN.md, "Health the teacher can see"): a teacher's portal requests, and for the operator
 * every /api request, over a period: requests, error rates (5xx and 4xx apart), mean, p50 and p95 response
 * times, in total and per day. Each read first writes this isolate's gathered metrics, so what it answers
 * includes every request this isolate has seen so far; other isolates' arrive within about a minute.
 */
import { Hono, type Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import { currentTeacher, requireTeacher } from '../auth/guard.ts';
import { constantTimeEqual, sha256Bytes } from '../crypto/hash.ts';
import { getDb, type Db } from '../db.ts';
import { DomainError } from '../errors.ts';
import { epochMsQuery } from '../http/bounds.ts';
import { clientIp, enforceRateLimit } from '../http/rate-limit.ts';
import type { AppEnv } from '../http/types.ts';
import { validate } from '../http/validate.ts';
import { describeForLog } from '../log/mask.ts';
import { flushRequestMetrics } from '../metrics/buffer.ts';
import { healthFigures } from '../metrics/read.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_DAYS = 92;

const periodQuery = z
  .object({ from: epochMsQuery.optional(), to: epochMsQuery.optional() })
  .refine((p) => p.from === undefined || p.to === undefined || p.to > p.from, {
    message: 'The end of the period must come after its start.',
    path: ['to'],
  })
  .refine((p) => p.from === undefined || p.to === undefined || p.to - p.from <= MAX_DAYS * DAY_MS, {
    message: `Ask for at most ${MAX_DAYS} days at a time.`,
    path: ['to'],
  });

/** The period asked for; by default the seven days up to now. */
function period(c: Context<AppEnv>, query: { from?: number | undefined; to?: number | undefined }) {
  const to = query.to ?? (query.from !== undefined ? query.from + 7 * DAY_MS : c.get('now'));
  return { from: query.from ?? to - 7 * DAY_MS, to };
}

/** Writes what this isolate gathered before reading; a failed write is retried later and doesn't stop the read. */
async function flushFirst(db: Db) {
  await flushRequestMetrics(db).catch((error) =>
    console.warn(JSON.stringify({ at: 'flushRequestMetrics', error: describeForLog(error) })),
  );
}

export const teacherHealthRoutes = new Hono<AppEnv>()
  .use(requireTeacher)
  .get('/', validate('query', periodQuery), async (c) => {
    const teacher = currentTeacher(c);
    await enforceRateLimit(c.env.RL_PORTAL_READ, `teacher:${teacher.id}`, 'requests');
    const range = period(c, c.req.valid('query'));
    const db = getDb(c.env);
    await flushFirst(db);
    const figures = await healthFigures(db, { scope: 'portal', teacherId: teacher.id }, range, teacher.timeZone);
    return c.json({ ...range, timeZone: teacher.timeZone, ...figures });
  });

/** A bearer token compared in constant time (both sides hashed first, so their lengths say nothing either). */
function isOperator(c: Context<AppEnv>, secret: string): boolean {
  const header = c.req.header('authorization') ?? '';
  const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  return constantTimeEqual(sha256Bytes(given), sha256Bytes(secret));
}

/**
 * The operator's door: without the secret the endpoint doesn't exist (the same answer as any unknown path,
 * before anything else, so nobody learns it is there); with it, rate limited per address, then the token.
 */
const requireOperator = createMiddleware<AppEnv>(async (c, next) => {
  const secret = c.env.OPERATOR_TOKEN;
  if (typeof secret !== 'string' || secret === '') throw new DomainError('not_found', 404, 'No such endpoint.');
  await enforceRateLimit(c.env.RL_API, `ip:${clientIp(c.req)}`, 'requests');
  if (!isOperator(c, secret))
    throw new DomainError('unauthenticated', 401, 'This needs the operator token as a bearer token.', {
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
  await next();
});

export const operatorHealthRoutes = new Hono<AppEnv>()
  .use(requireOperator)
  .get('/', validate('query', periodQuery), async (c) => {
    const range = period(c, c.req.valid('query'));
    const db = getDb(c.env);
    await flushFirst(db);
    const figures = await healthFigures(db, { scope: 'app', teacherId: '' }, range, 'UTC');
    return c.json({ ...range, timeZone: 'UTC', ...figures });
  });
