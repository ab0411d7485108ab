/**
 * The teacher's audit trail: `GET /api/teacher/audit` (a page, newest first, keyset cursor) and
 * `GET /api/teacher/audit.csv` (every entry matching the same filters, streamed page by page). A teacher reads
 * only their own trail: the query is scoped by the session's teacher, never by a parameter.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import { AUDIT_ACTION_NAMES } from '../../shared/audit-actions.ts';
import { currentTeacher, requireTeacher } from '../auth/guard.ts';
import { getDb } from '../db.ts';
import { enforceRateLimit } from '../http/rate-limit.ts';
import type { AppEnv } from '../http/types.ts';
import { fieldError, validate } from '../http/validate.ts';
import { AUDIT_CSV_HEADER, auditCsvLine, csvLine } from '../teachers/audit-csv.ts';
import { CURSOR_PATTERN, decodeCursor, readTrail, type TrailQuery } from '../teachers/audit-trail.ts';

const epochMs = (name: string) =>
  z
    .string()
    .regex(/^\d{1,15}$/, `${name} is a time in milliseconds since 1970 (UTC), e.g. 1767225600000.`)
    .transform(Number);

const filtersSchema = z
  .object({
    action: z.enum(AUDIT_ACTION_NAMES, { message: 'Choose one of the actions the audit page lists.' }).optional(),
    studentId: z.uuid({ message: 'studentId is a student’s id from your students list.' }).optional(),
    from: epochMs('from').optional(),
    to: epochMs('to').optional(),
  })
  .strict();

const pageSchema = filtersSchema
  .extend({
    cursor: z
      .string()
      .regex(CURSOR_PATTERN, 'This page link is not valid any more. Start again from the first page.')
      .optional(),
    limit: z
      .string()
      .regex(/^\d{1,3}$/, 'limit is a number of entries from 1 to 200.')
      .transform(Number)
      .pipe(z.number().min(1, 'limit is at least 1.').max(200, 'limit is at most 200.'))
      .optional(),
  })
  .strict();

const PAGE_SIZE = 50;
const CSV_PAGE_SIZE = 500;
/** A bound on one export, so a single request can't run for ever: the period can be narrowed for more. */
const CSV_MAX_ROWS = 50_000;

/** Both endpoints spend the teacher's budget before anything is validated or read. */
const limitAuditReads: MiddlewareHandler<AppEnv> = async (c, next) => {
  await enforceRateLimit(c.env.RL_TEACHER_AUDIT, `teacher:${currentTeacher(c).id}`, 'audit requests');
  await next();
};

function checkPeriod(query: { from?: number; to?: number }) {
  if (query.from !== undefined && query.to !== undefined && query.to <= query.from)
    throw fieldError('to', 'The end of the period must be after its start.');
}

// Mounted at /teacher beside other routers: guards go on each route, since a `use` here would run for every
// /teacher path.
export const teacherAuditRoutes = new Hono<AppEnv>()
  .get('/audit', requireTeacher, limitAuditReads, validate('query', pageSchema), async (c) => {
    const { cursor, limit, ...filters } = c.req.valid('query');
    checkPeriod(filters);
    const query: TrailQuery = {
      ...filters,
      after: cursor ? (decodeCursor(cursor) ?? undefined) : undefined,
      limit: limit ?? PAGE_SIZE,
    };
    return c.json(await readTrail(getDb(c.env), currentTeacher(c).id, query, c.get('now')));
  })
  .get('/audit.csv', requireTeacher, limitAuditReads, validate('query', filtersSchema), (c) => {
    const filters = c.req.valid('query');
    checkPeriod(filters);
    const teacher = currentTeacher(c);
    const db = getDb(c.env);
    const now = c.get('now');
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', 'attachment; filename="slotcast-audit.csv"');
    return stream(c, async (out) => {
      await out.write(csvLine(AUDIT_CSV_HEADER));
      let after: TrailQuery['after'];
      for (let written = 0; written < CSV_MAX_ROWS;) {
        const page = await readTrail(db, teacher.id, { ...filters, after, limit: CSV_PAGE_SIZE }, now);
        if (page.entries.length > 0) await out.write(page.entries.map(auditCsvLine).join(''));
        written += page.entries.length;
        if (!page.nextCursor) break;
        after = decodeCursor(page.nextCursor) ?? undefined;
      }
    });
  });
