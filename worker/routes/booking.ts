/**
 * The student portal's API, reached with a share-link token and no account. Every answer is about the link's
 * own student: other students' bookings appear only as "booked".
 */
import { Hono, type Context } from 'hono';
import { and, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { bookings } from '../../db/schema.ts';
import { bookThroughLink, cancelThroughLink, rescheduleThroughLink, studentBookingView } from '../booking/book.ts';
import { teacherContact } from '../teachers/contact.ts';
import { shareUrl } from '../share-links/tokens.ts';
import { config } from '../env.ts';
import { portalCalendar } from '../calendar/portal-view.ts';
import { sha256Hex } from '../crypto/hash.ts';
import { getDb } from '../db.ts';
import { describeForLog } from '../log/mask.ts';
import { timeZoneSchema } from '../calendar/time-zone.ts';
import { notFound } from '../errors.ts';
import { clientIp, enforceRateLimit } from '../http/rate-limit.ts';
import type { AppEnv } from '../http/types.ts';
import { epochMsQuery } from '../http/bounds.ts';
import { validate } from '../http/validate.ts';
import { recordLinkView } from '../share-links/access.ts';
import { isKnownLink } from '../share-links/known-links.ts';
import { resolveLink, type LinkSeen } from '../share-links/resolve.ts';
import { linkSummary } from '../share-links/state.ts';
import { linkWatch, liveTicket } from './live.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const tokenParam = z.object({ token: z.string().max(64) });
/** Built once per isolate, like every schema here: a zod schema built per request is work thrown away. */
const bookingIdSchema = z.uuid();
const rangeQuery = z
  .object({ from: epochMsQuery.optional(), to: epochMsQuery.optional() })
  .refine((r) => r.from === undefined || r.to === undefined || (r.to > r.from && r.to - r.from <= 62 * DAY_MS), {
    message: 'Ask for at most 62 days, with `to` after `from`.',
    path: ['to'],
  });

/**
 * The address's budget, then the link's. A read with a token this isolate has just seen open its link is no
 * guess and spends the link's alone (share-links/known-links.ts); a change (book, cancel, move) always spends
 * both, so one address holding several links still has one budget of attempts.
 */
async function limit(c: Context<AppEnv>, binding: 'RL_PORTAL_READ' | 'RL_PORTAL_WRITE', token: string, what: string) {
  if (binding === 'RL_PORTAL_WRITE' || !isKnownLink(token))
    await enforceRateLimit(c.env[binding], `ip:${clientIp(c.req)}`, what);
  // Keyed by a hash: the limiter's own store must not hold a usable piece of the token.
  await enforceRateLimit(c.env[binding], `link:${sha256Hex(token).slice(0, 32)}`, what);
}

/** Counts this request as the link's teacher's in the request metrics (DESIGN.md, "Health the teacher can see"). */
const countForTeacher =
  (c: Context<AppEnv>): LinkSeen =>
  ({ teacher }) =>
    c.set('portalTeacherId', teacher.id);

export const bookingRoutes = new Hono<AppEnv>()
  .get('/:token/calendar', validate('param', tokenParam), validate('query', rangeQuery), async (c) => {
    const { token } = c.req.valid('param');
    await limit(c, 'RL_PORTAL_READ', token, 'calendar requests');
    const now = c.get('now');
    const query = c.req.valid('query');
    const from = query.from ?? now;
    const to = query.to ?? from + 14 * DAY_MS;
    // One round trip: the link and the calendar in one batch. A used-up link still opens the calendar: its
    // bookings can be moved to another free time.
    const snapshot = await portalCalendar(
      getDb(c.env),
      token,
      { from, to },
      now,
      ['active', 'used_up'],
      countForTeacher(c),
    );
    const { teacher, student, link } = snapshot.resolved;
    // The view is counted by the teacher's calendar object, which writes views together (share-links/access.ts).
    c.executionCtx.waitUntil(
      recordLinkView(c.env, snapshot.resolved, now).catch((error) =>
        console.warn(JSON.stringify({ at: 'recordLinkView', error: describeForLog(error) })),
      ),
    );
    const summary = linkSummary(link, now);
    return c.json({
      teacher: {
        id: teacher.id,
        displayName: teacher.displayName,
        timeZone: teacher.timeZone,
        minNoticeMinutes: teacher.minNoticeMinutes,
        cancellationWindowMinutes: teacher.cancellationWindowMinutes,
        rescheduleWindowMinutes: teacher.rescheduleWindowMinutes,
        bookingHorizonDays: teacher.bookingHorizonDays,
      },
      student: { name: student.name },
      link: { expiresAt: summary.expiresAt, remainingBookings: summary.remainingBookings, state: summary.state },
      version: snapshot.version,
      slots: snapshot.slots,
      ticket: await liveTicket(c, linkWatch(snapshot.resolved, token)),
    });
  })

  .post(
    '/:token/book',
    validate('param', tokenParam),
    validate(
      'json',
      z.object({ slotId: z.uuid({ message: 'Pick a slot to book.' }), timeZone: timeZoneSchema.optional() }),
    ),
    async (c) => {
      const { token } = c.req.valid('param');
      await limit(c, 'RL_PORTAL_WRITE', token, 'booking attempts');
      const { slotId, timeZone } = c.req.valid('json');
      const result = await bookThroughLink(
        c.env,
        getDb(c.env),
        token,
        slotId,
        c.get('now'),
        {
          ip: clientIp(c.req),
          userAgent: c.req.header('user-agent'),
          timeZone,
          signedInUserId: c.get('auth').user?.id ?? null,
          portalUrl: (teacherId) => shareUrl(config(c.env).APP_URL, teacherId, token),
        },
        countForTeacher(c),
      );
      return c.json(result, 201);
    },
  )

  .get('/:token/my-bookings', validate('param', tokenParam), async (c) => {
    const { token } = c.req.valid('param');
    await limit(c, 'RL_PORTAL_READ', token, 'requests');
    const db = getDb(c.env);
    const now = c.get('now');
    // A used-up link still shows (and can cancel) the bookings it made.
    const { student, teacher } = await resolveLink(db, token, now, ['active', 'used_up'], countForTeacher(c));
    const rows = await db
      .select()
      .from(bookings)
      .where(and(eq(bookings.studentId, student.id), eq(bookings.teacherId, teacher.id)))
      .orderBy(desc(bookings.startsAt))
      .limit(200);
    return c.json({
      bookings: rows.filter((b) => b.status !== 'rescheduled').map((b) => studentBookingView(b, teacher, now)),
      contact: await teacherContact(db, teacher),
    });
  })

  .post(
    '/:token/cancel/:bookingId',
    validate('param', tokenParam.extend({ bookingId: z.string().max(64) })),
    async (c) => {
      const { token, bookingId } = c.req.valid('param');
      await limit(c, 'RL_PORTAL_WRITE', token, 'cancellations');
      return c.json(
        await cancelThroughLink(
          c.env,
          getDb(c.env),
          token,
          bookingId,
          bookingIdSchema.safeParse(bookingId).success,
          c.get('now'),
          { ip: clientIp(c.req), userAgent: c.req.header('user-agent') },
          countForTeacher(c),
        ),
      );
    },
  )

  /** Move one of this student's sessions to another open time; a used-up link can still do it. */
  .post(
    '/:token/reschedule/:bookingId',
    validate('param', tokenParam.extend({ bookingId: z.string().max(64) })),
    validate('json', z.object({ slotId: z.uuid({ message: 'Pick the new time.' }) })),
    async (c) => {
      const { token, bookingId } = c.req.valid('param');
      await limit(c, 'RL_PORTAL_WRITE', token, 'reschedules');
      const db = getDb(c.env);
      const now = c.get('now');
      const resolved = await resolveLink(db, token, now, ['active', 'used_up'], countForTeacher(c));
      if (!bookingIdSchema.safeParse(bookingId).success) throw notFound('No such booking.');
      return c.json(
        await rescheduleThroughLink(c.env, db, resolved, bookingId, c.req.valid('json').slotId, now, {
          ip: clientIp(c.req),
          userAgent: c.req.header('user-agent'),
        }),
      );
    },
  );
