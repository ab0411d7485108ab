/**
 * The teacher's booked sessions: the list, and cancel, move and outcome on one booking. A booking of another
 * teacher is simply not found.
 */
import { Hono, type Context } from 'hono';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { bookings } from '../../db/schema.ts';
import { currentTeacher, requireTeacher } from '../auth/guard.ts';
import { cancelBooking } from '../booking/cancel.ts';
import { recordOutcome } from '../booking/outcome.ts';
import { moveBooking } from '../booking/reschedule.ts';
import { teacherBookings } from '../booking/teacher-list.ts';
import { getDb, type Db } from '../db.ts';
import { notFound } from '../errors.ts';
import { clientIp, enforceRateLimit } from '../http/rate-limit.ts';
import type { AppEnv } from '../http/types.ts';
import { validate } from '../http/validate.ts';

const bookingParam = z.object({ id: z.uuid({ message: 'No such booking.' }) });
const cursorSchema = z.string().regex(/^\d+:[0-9a-f-]{36}$/, 'This page link is not valid.');

async function ownBooking(db: Db, teacherId: string, id: string) {
  const [booking] = await db
    .select()
    .from(bookings)
    .where(and(eq(bookings.id, id), eq(bookings.teacherId, teacherId)));
  if (!booking) throw notFound('No such booking.');
  return booking;
}

function actor(c: Context<AppEnv>) {
  return {
    actorType: 'teacher' as const,
    actorId: currentTeacher(c).id,
    ip: clientIp(c.req),
    userAgent: c.req.header('user-agent'),
  };
}

const limitWrites = (c: Context<AppEnv>, what: string) =>
  enforceRateLimit(c.env.RL_PORTAL_WRITE, `teacher:${currentTeacher(c).id}`, what);

export const teacherBookingRoutes = new Hono<AppEnv>()
  .use(requireTeacher)

  .get(
    '/',
    validate(
      'query',
      z.object({
        filter: z.enum(['upcoming', 'past', 'needs_outcome']).default('upcoming'),
        cursor: cursorSchema.optional(),
        limit: z.coerce.number().int().min(1).max(100).default(25),
      }),
    ),
    async (c) => {
      const teacher = currentTeacher(c);
      await enforceRateLimit(c.env.RL_PORTAL_READ, `teacher:${teacher.id}`, 'requests');
      return c.json(await teacherBookings(getDb(c.env), teacher, c.req.valid('query'), c.get('now')));
    },
  )

  .post(
    '/:id/cancel',
    validate('param', bookingParam),
    validate(
      'json',
      z
        .object({
          message: z.string().trim().max(1000, 'Keep the message under 1,000 characters.').optional(),
          reopen: z.boolean({ message: 'Say whether the time stays open for other students (reopen: true or false).' }),
        })
        .strict(),
    ),
    async (c) => {
      await limitWrites(c, 'cancellations');
      const db = getDb(c.env);
      const teacher = currentTeacher(c);
      const { message, reopen } = c.req.valid('json');
      const booking = await ownBooking(db, teacher.id, c.req.valid('param').id);
      return c.json(
        await cancelBooking(c.env, db, {
          booking,
          teacher,
          now: c.get('now'),
          by: actor(c),
          teacherChoice: { message: message || null, reopen },
        }),
      );
    },
  )

  .post(
    '/:id/move',
    validate('param', bookingParam),
    validate('json', z.object({ slotId: z.uuid({ message: 'Pick the time to move the session to.' }) }).strict()),
    async (c) => {
      await limitWrites(c, 'moves');
      const db = getDb(c.env);
      const teacher = currentTeacher(c);
      const booking = await ownBooking(db, teacher.id, c.req.valid('param').id);
      return c.json(
        await moveBooking(c.env, db, {
          booking,
          teacher,
          slotId: c.req.valid('json').slotId,
          now: c.get('now'),
          as: 'teacher',
          by: actor(c),
        }),
      );
    },
  )

  .post(
    '/:id/outcome',
    validate('param', bookingParam),
    validate(
      'json',
      z
        .object({
          outcome: z.enum(['completed', 'no_show'], {
            message: 'Say whether the session took place: completed or no_show.',
          }),
        })
        .strict(),
    ),
    async (c) => {
      await limitWrites(c, 'outcome changes');
      const db = getDb(c.env);
      const teacher = currentTeacher(c);
      const booking = await ownBooking(db, teacher.id, c.req.valid('param').id);
      return c.json(
        await recordOutcome(c.env, db, {
          booking,
          outcome: c.req.valid('json').outcome,
          now: c.get('now'),
          by: actor(c),
        }),
      );
    },
  );
