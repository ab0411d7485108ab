/**
 * The student portal's API, reached with a share-link token and no account. Every answer is about the link's
 * own student: other students' bookings appear only as "booked".
 */
import { Hono, type Context } from 'hono';
import { and, desc, eq, gte, gt, lt, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import { auditLog, bookings, linkEvents, shareLinks, slots } from '../../db/schema.ts';
import { auditValues } from '../audit.ts';
import { bookThroughLink, cancelThroughLink, studentBookingView } from '../booking/book.ts';
import { bookingRefusal } from '../booking/rules.ts';
import { MAX_SLOT_MINUTES, versionQuery } from '../calendar/slot-views.ts';
import { newId } from '../crypto/random.ts';
import { getDb } from '../db.ts';
import { timeZoneSchema } from '../calendar/time-zone.ts';
import { notFound } from '../errors.ts';
import { clientIp, enforceRateLimit } from '../http/rate-limit.ts';
import type { AppEnv } from '../http/types.ts';
import { epochMsQuery } from '../http/bounds.ts';
import { validate } from '../http/validate.ts';
import type { SlotView } from '../live/protocol.ts';
import { resolveLink, type ResolvedLink } from '../share-links/resolve.ts';
import { linkSummary } from '../share-links/state.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
const tokenParam = z.object({ token: z.string().max(64) });
const rangeQuery = z
  .object({ from: epochMsQuery.optional(), to: epochMsQuery.optional() })
  .refine((r) => r.from === undefined || r.to === undefined || (r.to > r.from && r.to - r.from <= 62 * DAY_MS), {
    message: 'Ask for at most 62 days, with `to` after `from`.',
    path: ['to'],
  });

async function limit(c: Context<AppEnv>, binding: 'RL_PORTAL_READ' | 'RL_PORTAL_WRITE', token: string, what: string) {
  await enforceRateLimit(c.env[binding], `ip:${clientIp(c.req)}`, what);
  await enforceRateLimit(c.env[binding], `link:${token.slice(0, 16)}`, what);
}

/** Counts the view; written after the answer so reads stay fast. Audited at most hourly per link. */
function recordAccess(c: Context<AppEnv>, resolved: ResolvedLink, now: number) {
  const db = getDb(c.env);
  const { link } = resolved;
  const audit = link.lastAccessedAt === null || now - link.lastAccessedAt > HOUR_MS;
  c.executionCtx.waitUntil(
    (async () => {
      const writes = [
        db
          .update(shareLinks)
          .set({ accessCount: sql`${shareLinks.accessCount} + 1`, lastAccessedAt: now })
          .where(eq(shareLinks.id, link.id)),
        db
          .insert(linkEvents)
          .values({ id: newId(), shareLinkId: link.id, teacherId: link.teacherId, kind: 'view', at: now }),
      ] as const;
      if (audit) {
        await db.batch([
          ...writes,
          db.insert(auditLog).values(
            await auditValues(
              c.env,
              {
                actorType: 'share_link',
                actorId: link.id,
                action: 'share_link.accessed',
                targetType: 'share_link',
                targetId: link.id,
                ip: clientIp(c.req),
                userAgent: c.req.header('user-agent'),
              },
              now,
            ),
          ),
        ]);
      } else await db.batch(writes);
    })().catch((error) => console.warn(JSON.stringify({ at: 'recordAccess', error: String(error).slice(0, 200) }))),
  );
}

export const bookingRoutes = new Hono<AppEnv>()
  .get('/:token/calendar', validate('param', tokenParam), validate('query', rangeQuery), async (c) => {
    const { token } = c.req.valid('param');
    await limit(c, 'RL_PORTAL_READ', token, 'calendar requests');
    const db = getDb(c.env);
    const now = c.get('now');
    const resolved = await resolveLink(db, token, now);
    const { teacher, student, link } = resolved;
    const query = c.req.valid('query');
    const from = query.from ?? now;
    const to = query.to ?? from + 14 * DAY_MS;
    const [versionRows, rows] = await db.batch([
      versionQuery(db, teacher.id),
      db
        .select({ slot: slots, bookedBy: bookings.studentId })
        .from(slots)
        .leftJoin(bookings, and(eq(bookings.slotId, slots.id), eq(bookings.status, 'scheduled')))
        .where(
          and(
            eq(slots.teacherId, teacher.id),
            gte(slots.startsAt, from - MAX_SLOT_MINUTES * 60_000),
            lt(slots.startsAt, to),
            gt(slots.endsAt, from),
            ne(slots.status, 'canceled'),
          ),
        )
        .orderBy(slots.startsAt),
    ]);
    recordAccess(c, resolved, now);
    const view: SlotView[] = rows.map(({ slot, bookedBy }) => ({
      id: slot.id,
      startsAt: slot.startsAt,
      endsAt: slot.endsAt,
      subject: slot.subject,
      status: slot.status,
      seriesId: null,
      mine: bookedBy === student.id,
      bookable: slot.status === 'open' && bookingRefusal(slot.startsAt, teacher, now) === null,
    }));
    const summary = linkSummary(link, now);
    return c.json({
      teacher: {
        id: teacher.id,
        displayName: teacher.displayName,
        timeZone: teacher.timeZone,
        minNoticeMinutes: teacher.minNoticeMinutes,
        cancellationWindowMinutes: teacher.cancellationWindowMinutes,
        bookingHorizonDays: teacher.bookingHorizonDays,
      },
      student: { name: student.name },
      link: { expiresAt: summary.expiresAt, remainingBookings: summary.remainingBookings },
      version: versionRows[0]?.version ?? 0,
      slots: view,
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
      const db = getDb(c.env);
      const now = c.get('now');
      const resolved = await resolveLink(db, token, now);
      const { slotId, timeZone } = c.req.valid('json');
      const result = await bookThroughLink(c.env, db, resolved, slotId, now, {
        ip: clientIp(c.req),
        userAgent: c.req.header('user-agent'),
        timeZone,
      });
      return c.json(result, 201);
    },
  )

  .get('/:token/my-bookings', validate('param', tokenParam), async (c) => {
    const { token } = c.req.valid('param');
    await limit(c, 'RL_PORTAL_READ', token, 'requests');
    const db = getDb(c.env);
    const now = c.get('now');
    // A used-up link still shows (and can cancel) the bookings it made.
    const { student, teacher } = await resolveLink(db, token, now, ['active', 'used_up']);
    const rows = await db
      .select()
      .from(bookings)
      .where(and(eq(bookings.studentId, student.id), eq(bookings.teacherId, teacher.id)))
      .orderBy(desc(bookings.startsAt))
      .limit(200);
    return c.json({ bookings: rows.map((b) => studentBookingView(b, teacher, now)) });
  })

  .post(
    '/:token/cancel/:bookingId',
    validate('param', tokenParam.extend({ bookingId: z.string().max(64) })),
    async (c) => {
      const { token, bookingId } = c.req.valid('param');
      await limit(c, 'RL_PORTAL_WRITE', token, 'cancellations');
      const db = getDb(c.env);
      const now = c.get('now');
      const resolved = await resolveLink(db, token, now, ['active', 'used_up']);
      if (!z.uuid().safeParse(bookingId).success) throw notFound('No such booking.');
      return c.json(
        await cancelThroughLink(c.env, db, resolved, bookingId, now, {
          ip: clientIp(c.req),
          userAgent: c.req.header('user-agent'),
        }),
      );
    },
  );
