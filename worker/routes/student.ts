/**
 * The student's own dashboard API: sessions, weekly availability, and which teachers may see it. A student
 * session reaches only these.
 */
import { Hono } from 'hono';
import { and, asc, desc, eq, gt, inArray, lt, lte, ne, or } from 'drizzle-orm';
import { z } from 'zod';
import { availability, bookings, slots, teachers, users } from '../../db/schema.ts';
import { bookingRefusal, cancelDeadline, rescheduleDeadline } from '../../shared/booking-rules.ts';
import { shownStatus } from '../../shared/booking-status.ts';
import { moveBooking } from '../booking/reschedule.ts';
import { timeZoneSchema } from '../calendar/time-zone.ts';
import { getDb, type Db } from '../db.ts';
import { config } from '../env.ts';
import { DomainError, notFound } from '../errors.ts';
import { clientIp, enforceRateLimit } from '../http/rate-limit.ts';
import { requireStudent } from '../auth/guard.ts';
import { cancelBooking } from '../booking/cancel.ts';
import { saveAvailability, setSharing, sharingOverview } from '../students/sharing.ts';
import { sessionIcs } from '../../emails/ics.ts';
import type { AppEnv } from '../http/types.ts';
import { validate } from '../http/validate.ts';
import { weeklyRangesSchema } from '../../shared/weekly-range.ts';
import { pageCursorSchema } from '../http/bounds.ts';
import { multiLineText } from '../http/text.ts';
const availabilitySchema = z
  .object({
    timeZone: timeZoneSchema,
    weeklyRanges: weeklyRangesSchema,
    notes: multiLineText({ max: 2000, noun: 'Notes' }).default(''),
    preferences: multiLineText({ max: 2000, noun: 'Preferences' }).default(''),
  })
  .strict();

const sessionParam = z.object({ id: z.uuid({ message: 'No such session.' }) });
const teacherParam = z.object({ teacherId: z.uuid({ message: 'No such teacher.' }) });
const shareSchema = z.object({ share: z.boolean({ message: 'Say whether to share: true or false.' }) }).strict();

/** One of the student's own sessions; another student's id is simply not found. */
async function ownSession(db: Db, userId: string, bookingId: string) {
  const [row] = await db
    .select({ booking: bookings, teacher: teachers })
    .from(bookings)
    .innerJoin(teachers, eq(teachers.id, bookings.teacherId))
    .where(and(eq(bookings.id, bookingId), eq(bookings.studentUserId, userId)));
  if (!row) throw notFound('No such session.');
  return row;
}

export const studentRoutes = new Hono<AppEnv>()
  .use(requireStudent)

  /**
   * Upcoming: scheduled and not yet over, soonest first. Previous: completed, canceled or over, latest first.
   * Cursor pagination on (starts_at, id), so pages stay stable while sessions are added.
   */
  .get(
    '/sessions',
    validate(
      'query',
      z.object({
        filter: z.enum(['upcoming', 'previous']).default('upcoming'),
        cursor: pageCursorSchema.optional(),
        limit: z.coerce.number().int().min(1).max(50).default(20),
      }),
    ),
    async (c) => {
      const { user } = c.get('auth');
      await enforceRateLimit(c.env.RL_PORTAL_READ, `user:${user!.id}`, 'requests');
      const { filter, cursor, limit } = c.req.valid('query');
      const now = c.get('now');
      const upcoming = filter === 'upcoming';
      const [cursorStart, cursorId] = cursor
        ? [Number(cursor.split(':')[0]), cursor.slice(cursor.indexOf(':') + 1)]
        : [null, null];
      // A session moved to another time shows once, at its new time.
      const which = upcoming
        ? and(eq(bookings.status, 'scheduled'), gt(bookings.endsAt, now))
        : and(
            ne(bookings.status, 'rescheduled'),
            or(inArray(bookings.status, ['completed', 'no_show', 'canceled']), lte(bookings.endsAt, now)),
          );
      const after =
        cursorStart === null
          ? undefined
          : upcoming
            ? or(
                gt(bookings.startsAt, cursorStart),
                and(eq(bookings.startsAt, cursorStart), gt(bookings.id, cursorId!)),
              )
            : or(
                lt(bookings.startsAt, cursorStart),
                and(eq(bookings.startsAt, cursorStart), lt(bookings.id, cursorId!)),
              );
      const rows = await getDb(c.env)
        .select({
          booking: bookings,
          teacher: {
            id: teachers.id,
            displayName: teachers.displayName,
            timeZone: teachers.timeZone,
            cancellationWindowMinutes: teachers.cancellationWindowMinutes,
            rescheduleWindowMinutes: teachers.rescheduleWindowMinutes,
            autoCompleteAfterDays: teachers.autoCompleteAfterDays,
            email: users.email,
          },
        })
        .from(bookings)
        .innerJoin(teachers, eq(teachers.id, bookings.teacherId))
        .innerJoin(users, eq(users.id, teachers.id))
        .where(and(eq(bookings.studentUserId, user!.id), which, after))
        .orderBy(
          ...(upcoming ? [asc(bookings.startsAt), asc(bookings.id)] : [desc(bookings.startsAt), desc(bookings.id)]),
        )
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return c.json({
        sessions: page.map(({ booking: b, teacher }) => ({
          id: b.id,
          teacher: { id: teacher.id, name: teacher.displayName, timeZone: teacher.timeZone, email: teacher.email },
          startsAt: b.startsAt,
          endsAt: b.endsAt,
          subject: b.subject,
          // An unmarked past session is "past", never "completed" unless the teacher said so.
          status: shownStatus(b, teacher.autoCompleteAfterDays, now, 'student'),
          canCancel: b.status === 'scheduled' && b.startsAt > now && now <= cancelDeadline(b.startsAt, teacher),
          cancelUntil: cancelDeadline(b.startsAt, teacher),
          canReschedule: b.status === 'scheduled' && b.startsAt > now && now <= rescheduleDeadline(b.startsAt, teacher),
          rescheduleUntil: rescheduleDeadline(b.startsAt, teacher),
          canceledBy: b.canceledBy,
          cancelMessage: b.cancelMessage,
        })),
        nextCursor: rows.length > limit && last ? `${last.booking.startsAt}:${last.booking.id}` : null,
      });
    },
  )

  /** Cancel within the teacher's window, as through the share link; the slot reopens for others at once. */
  .post('/sessions/:id/cancel', validate('param', sessionParam), async (c) => {
    const user = c.get('auth').user!;
    const db = getDb(c.env);
    await enforceRateLimit(c.env.RL_PORTAL_WRITE, `user:${user.id}`, 'cancellations');
    const { booking, teacher } = await ownSession(db, user.id, c.req.valid('param').id);
    return c.json(
      await cancelBooking(c.env, db, {
        booking,
        teacher,
        now: c.get('now'),
        by: { actorType: 'student', actorId: user.id, ip: clientIp(c.req), userAgent: c.req.header('user-agent') },
      }),
    );
  })

  /** The teacher's open times this session can move to: times only, within the teacher's booking rules. */
  .get('/sessions/:id/open-slots', validate('param', sessionParam), async (c) => {
    const user = c.get('auth').user!;
    const db = getDb(c.env);
    await enforceRateLimit(c.env.RL_PORTAL_READ, `user:${user.id}`, 'requests');
    const now = c.get('now');
    const { booking, teacher } = await ownSession(db, user.id, c.req.valid('param').id);
    const rows = await db
      .select({ id: slots.id, startsAt: slots.startsAt, endsAt: slots.endsAt, subject: slots.subject })
      .from(slots)
      .where(
        and(
          eq(slots.teacherId, teacher.id),
          eq(slots.status, 'open'),
          gt(slots.startsAt, now),
          lte(slots.startsAt, now + teacher.bookingHorizonDays * 24 * 60 * 60 * 1000),
        ),
      )
      .orderBy(asc(slots.startsAt))
      .limit(200);
    return c.json({
      bookingId: booking.id,
      slots: rows.filter((s) => bookingRefusal(s.startsAt, teacher, now) === null).slice(0, 100),
    });
  })

  /** Move a session to another open time of the same teacher, within the teacher's reschedule window. */
  .post(
    '/sessions/:id/reschedule',
    validate('param', sessionParam),
    validate('json', z.object({ slotId: z.uuid({ message: 'Pick the new time.' }) }).strict()),
    async (c) => {
      const user = c.get('auth').user!;
      const db = getDb(c.env);
      await enforceRateLimit(c.env.RL_PORTAL_WRITE, `user:${user.id}`, 'reschedules');
      const { booking, teacher } = await ownSession(db, user.id, c.req.valid('param').id);
      return c.json(
        await moveBooking(c.env, db, {
          booking,
          teacher,
          slotId: c.req.valid('json').slotId,
          now: c.get('now'),
          as: 'student',
          by: { actorType: 'student', actorId: user.id, ip: clientIp(c.req), userAgent: c.req.header('user-agent') },
        }),
      );
    },
  )

  /** "Add to calendar": the same event file as the confirmation email's. */
  .get('/sessions/:id/calendar.ics', validate('param', sessionParam), async (c) => {
    const user = c.get('auth').user!;
    await enforceRateLimit(c.env.RL_PORTAL_READ, `user:${user.id}`, 'requests');
    const { booking, teacher } = await ownSession(getDb(c.env), user.id, c.req.valid('param').id);
    if (booking.status !== 'scheduled')
      throw new DomainError(
        'booking_not_active',
        409,
        'This session was canceled, so there is nothing to add to your calendar.',
      );
    const ics = sessionIcs({
      bookingId: booking.id,
      uid: booking.icsUid,
      sequence: booking.icsSequence,
      subject: booking.subject,
      teacherName: teacher.displayName,
      startsAt: booking.startsAt,
      endsAt: booking.endsAt,
      dashboardUrl: `${new URL(config(c.env).APP_URL).origin}/student`,
      stamp: c.get('now'),
    });
    return c.body(ics, 200, {
      'Content-Type': 'text/calendar; charset=utf-8',
      'Content-Disposition': 'attachment; filename="slotcast-session.ics"',
    });
  })

  .get('/availability', async (c) => {
    const userId = c.get('auth').user!.id;
    await enforceRateLimit(c.env.RL_PORTAL_READ, `user:${userId}`, 'requests');
    const [row] = await getDb(c.env).select().from(availability).where(eq(availability.studentUserId, userId));
    return c.json({
      availability: row
        ? {
            timeZone: row.timeZone,
            weeklyRanges: row.weeklyRanges,
            notes: row.notes,
            preferences: row.preferences,
            updatedAt: row.updatedAt,
          }
        : null,
    });
  })

  /** Every teacher who has the student's address, and what each can see of their availability. */
  .get('/sharing', async (c) => {
    const user = c.get('auth').user!;
    await enforceRateLimit(c.env.RL_PORTAL_READ, `user:${user.id}`, 'requests');
    return c.json({ teachers: await sharingOverview(getDb(c.env), user.id) });
  })

  /** The student's tick: share their availability, notes and preferences with one teacher, or stop. */
  .post('/sharing/:teacherId', validate('param', teacherParam), validate('json', shareSchema), async (c) => {
    const user = c.get('auth').user!;
    await enforceRateLimit(c.env.RL_PORTAL_WRITE, `user:${user.id}`, 'sharing changes');
    const db = getDb(c.env);
    const { teacherId } = c.req.valid('param');
    await setSharing(
      c.env,
      db,
      {
        userId: user.id,
        teacherId,
        share: c.req.valid('json').share,
        ip: clientIp(c.req),
        userAgent: c.req.header('user-agent'),
      },
      c.get('now'),
    );
    const teacher = (await sharingOverview(db, user.id)).find((t) => t.teacher.id === teacherId);
    return c.json({ teacher: teacher! });
  })

  /** Upsert by the student's account. */
  .post('/availability', validate('json', availabilitySchema), async (c) => {
    const userId = c.get('auth').user!.id;
    await enforceRateLimit(c.env.RL_PORTAL_WRITE, `user:${userId}`, 'availability changes');
    const body = c.req.valid('json');
    const now = c.get('now');
    const weeklyRanges = [...body.weeklyRanges].sort((a, b) => a.day - b.day || a.start.localeCompare(b.start));
    const values = {
      timeZone: body.timeZone,
      weeklyRanges,
      notes: body.notes,
      preferences: body.preferences,
      updatedAt: now,
    };
    await saveAvailability(c.env, getDb(c.env), userId, values, now);
    return c.json({ availability: values });
  });
