/**
 * `POST /api/booking/confirm`: a booking confirmed by another system, authenticated by a teacher's API key
 * (server to server: no cookies, so no Origin check). 201 with the new booking; 200 with the same booking
 * (and `Idempotent-Replayed: true`) when the external id was seen before.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { authenticateApiKey } from '../api-keys/keys.ts';
import { confirmExternalBooking } from '../booking/confirm-external.ts';
import { parseSlotStart } from '../calendar/recurrence.ts';
import { MAX_SLOT_MINUTES } from '../calendar/slot-views.ts';
import { timeZoneSchema } from '../calendar/time-zone.ts';
import { getDb } from '../db.ts';
import { clientIp, enforceRateLimit } from '../http/rate-limit.ts';
import type { AppEnv } from '../http/types.ts';
import { emailSchema, fieldError, validate } from '../http/validate.ts';
import { singleLineText } from '../http/text.ts';

const timeInput = z
  .string()
  .trim()
  .min(16, 'Use a time like 2027-03-14T09:00 (the teacher’s zone) or 2027-03-14T08:00Z.')
  .max(40);

export const confirmSchema = z
  .object({
    email: emailSchema,
    name: singleLineText({ max: 80, noun: 'Names' }).min(1, 'Enter the student’s name.'),
    start: timeInput,
    end: timeInput.optional(),
    lengthMinutes: z
      .number()
      .int()
      .min(5, 'Sessions are at least 5 minutes.')
      .max(MAX_SLOT_MINUTES, 'Sessions are at most 12 hours.')
      .optional(),
    subject: singleLineText({ max: 120, noun: 'Subjects', tooLong: 'Keep the subject under 120 characters.' }).default(
      '',
    ),
    externalId: singleLineText({ max: 200, noun: 'Ids' }).min(
      1,
      'Send your system’s id for this booking, so a retry can’t book twice.',
    ),
    timeZone: timeZoneSchema.optional(),
  })
  .strict()
  .refine((b) => !(b.end && b.lengthMinutes), {
    message: 'Send either end or lengthMinutes, not both.',
    path: ['end'],
  });

export const bookingConfirmRoutes = new Hono<AppEnv>().post(
  '/',
  async (c, next) => {
    // Before the key is checked, so guessing keys is as slow as using one.
    await enforceRateLimit(c.env.RL_API, `ip:${clientIp(c.req)}`, 'requests');
    await next();
  },
  validate('json', confirmSchema),
  async (c) => {
    const db = getDb(c.env);
    const now = c.get('now');
    const { key, teacher } = await authenticateApiKey(db, c.req.header('authorization'));
    await enforceRateLimit(c.env.RL_API, `key:${key.id}`, 'bookings from this key');
    const body = c.req.valid('json');
    const startsAt = parseSlotStart(body.start, teacher.timeZone);
    if (startsAt === null)
      throw fieldError('start', 'Use a time like 2027-03-14T09:00 (the teacher’s zone) or 2027-03-14T08:00Z.');
    let endsAt = startsAt + (body.lengthMinutes ?? teacher.defaultSlotMinutes) * 60_000;
    if (body.end) {
      const parsed = parseSlotStart(body.end, teacher.timeZone);
      if (parsed === null)
        throw fieldError('end', 'Use a time like 2027-03-14T10:00 (the teacher’s zone) or 2027-03-14T09:00Z.');
      if (parsed <= startsAt) throw fieldError('end', 'The end must be after the start.');
      if (parsed - startsAt > MAX_SLOT_MINUTES * 60_000) throw fieldError('end', 'Sessions are at most 12 hours.');
      endsAt = parsed;
    }
    const result = await confirmExternalBooking(
      c.env,
      db,
      teacher,
      {
        email: body.email,
        name: body.name,
        startsAt,
        endsAt,
        subject: body.subject,
        externalId: body.externalId,
        timeZone: body.timeZone,
      },
      now,
      {
        apiKeyId: key.id,
        ip: clientIp(c.req),
        userAgent: c.req.header('user-agent'),
      },
    );
    if (result.replayed) {
      c.header('Idempotent-Replayed', 'true');
      return c.json({ booking: result.booking }, 200);
    }
    return c.json({ booking: result.booking }, 201);
  },
);
