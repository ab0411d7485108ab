/**
 * The teacher's analytics: link usage and booking patterns over a period of whole days in the teacher's zone.
 * Only the signed-in teacher's own links, students and bookings are read; rate-limited before any read.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { currentTeacher, requireTeacher } from '../auth/guard.ts';
import { MAX_PERIOD_DAYS, inclusiveDays, resolvePeriod } from '../analytics/period.ts';
import { bookingSummary } from '../analytics/summary.ts';
import { tokenUsage } from '../analytics/token-usage.ts';
import { getDb } from '../db.ts';
import { enforceRateLimit } from '../http/rate-limit.ts';
import type { AppEnv } from '../http/types.ts';
import { validate } from '../http/validate.ts';
import { flushLinkViews } from '../share-links/access.ts';

const dateSchema = z.iso.date({ message: 'Use a date like 2027-03-14.' });

const periodQuery = z
  .object({ from: dateSchema.optional(), to: dateSchema.optional() })
  .refine((q) => !!q.from === !!q.to, {
    message: 'Give both a first and a last day (or neither, for the last 30 days).',
    path: ['to'],
  })
  .refine((q) => !q.from || !q.to || q.to >= q.from, {
    message: 'The last day must be on or after the first.',
    path: ['to'],
  })
  .refine((q) => !q.from || !q.to || inclusiveDays(q.from, q.to) <= MAX_PERIOD_DAYS, {
    message: `Ask for at most ${MAX_PERIOD_DAYS} days at once.`,
    path: ['to'],
  });

const tokenUsageQuery = z.object({
  from: dateSchema.optional(),
  to: dateSchema.optional(),
  studentId: z.uuid({ message: 'No such student.' }).optional(),
});

const limitReads = (c: Context<AppEnv>) =>
  enforceRateLimit(c.env.RL_PORTAL_READ, `teacher:${currentTeacher(c).id}`, 'requests');

export const teacherAnalyticsRoutes = new Hono<AppEnv>()
  .use(requireTeacher)

  .get('/token-usage', validate('query', tokenUsageQuery.and(periodQuery)), async (c) => {
    await limitReads(c);
    const teacher = currentTeacher(c);
    // Visits are counted by the calendar object a few seconds late: write the waiting ones first.
    await flushLinkViews(c.env, teacher.id);
    const query = c.req.valid('query');
    const now = c.get('now');
    const period = resolvePeriod(query, teacher.timeZone, now);
    return c.json({ period, links: await tokenUsage(getDb(c.env), teacher.id, period, now, query.studentId) });
  })

  .get('/summary', validate('query', periodQuery), async (c) => {
    await limitReads(c);
    const teacher = currentTeacher(c);
    await flushLinkViews(c.env, teacher.id);
    const now = c.get('now');
    const period = resolvePeriod(c.req.valid('query'), teacher.timeZone, now);
    return c.json(await bookingSummary(getDb(c.env), teacher.id, period, now));
  });
