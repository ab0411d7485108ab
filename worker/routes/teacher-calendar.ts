import { Hono } from 'hono';
import { z } from 'zod';
import { Temporal } from 'temporal-polyfill';
import { newId } from '../crypto/random.ts';
import { getDb } from '../db.ts';
import { DomainError } from '../errors.ts';
import { asAssertedTeacher, currentTeacher, readAsTeacher, requireTeacher } from '../auth/guard.ts';
import type { AppEnv } from '../http/types.ts';
import { epochMsQuery } from '../http/bounds.ts';
import { fieldError, validate } from '../http/validate.ts';
import { singleLineText } from '../http/text.ts';
import { expandWeeklyRule, MAX_OCCURRENCES, parseSlotStart } from '../calendar/recurrence.ts';
import { cancelOpenSlots, createSlots } from '../calendar/slot-service.ts';
import { MAX_SLOT_MINUTES, teacherSlotViews, teacherSlotsQuery } from '../calendar/slot-views.ts';
import { teacherProfile } from '../teachers/profile.ts';
import { liveTicket, sessionWatch } from './live.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_RANGE_DAYS = 62;
const MAX_FUTURE_DAYS = 2 * 366;

const lengthSchema = z
  .number()
  .int()
  .min(5, 'Slots are at least 5 minutes.')
  .max(MAX_SLOT_MINUTES, 'Slots are at most 12 hours.');
const subjectSchema = singleLineText({
  max: 120,
  noun: 'Subjects',
  tooLong: 'Keep the subject under 120 characters.',
}).default('');
const dateSchema = z.iso.date({ message: 'Use a date like 2027-03-14.' });
const timeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use a 24-hour time like 09:30.');

const rangeSchema = z
  .object({ from: epochMsQuery, to: epochMsQuery })
  .refine((r) => r.to > r.from, { message: '`to` must be after `from`.', path: ['to'] })
  .refine((r) => r.to - r.from <= MAX_RANGE_DAYS * DAY_MS, {
    message: `Ask for at most ${MAX_RANGE_DAYS} days at once.`,
    path: ['to'],
  });

/** Days from one ISO date to another; 0 when either is malformed (the field's own check reports that). */
function daysBetween(from: string, until: string): number {
  try {
    return Temporal.PlainDate.from(from).until(Temporal.PlainDate.from(until)).days;
  } catch {
    return 0;
  }
}

const singleSlotSchema = z.object({
  start: z.string().min(16, 'Use a start like 2027-03-14T09:00.').max(40),
  lengthMinutes: lengthSchema.optional(),
  subject: subjectSchema,
});

const recurringSchema = z
  .object({
    days: z.array(z.number().int().min(1).max(7)).min(1, 'Pick at least one day.').max(7),
    startTime: timeSchema,
    lengthMinutes: lengthSchema.optional(),
    from: dateSchema,
    until: dateSchema,
    subject: subjectSchema,
  })
  .refine((r) => r.until >= r.from, { message: 'The end date must be on or after the start date.', path: ['until'] })
  .refine((r) => daysBetween(r.from, r.until) <= 366, {
    message: 'A weekly rule can span at most a year.',
    path: ['until'],
  });

export const teacherCalendarRoutes = new Hono<AppEnv>()
  .use(requireTeacher)

  .get('/calendar', validate('query', rangeSchema), async (c) => {
    const { from, to } = c.req.valid('query');
    // One round trip: the session, the teacher's row (with the calendar version) and the slots in one batch, so
    // the version and the slots agree.
    const { teacher, read } = await readAsTeacher(c, (teacherId) =>
      teacherSlotsQuery(getDb(c.env), teacherId, from, to),
    );
    return c.json({
      version: teacher.calendarVersion,
      slots: teacherSlotViews(read),
      teacher: teacherProfile(teacher),
      ticket: await liveTicket(c, sessionWatch(c)),
    });
  })

  .post('/slots', validate('json', singleSlotSchema), async (c) => {
    const body = c.req.valid('json');
    const now = c.get('now');
    const result = await asAssertedTeacher(c, (teacher, guard) => {
      const startsAt = parseSlotStart(body.start, teacher.timeZone);
      if (startsAt === null) throw fieldError('start', 'Use a start like 2027-03-14T09:00.');
      if (startsAt <= now)
        throw new DomainError('slot_in_past', 400, 'This time has already passed. Pick a time in the future.');
      if (startsAt > now + MAX_FUTURE_DAYS * DAY_MS)
        throw new DomainError('slot_too_far', 400, 'Slots can be published up to two years ahead.');
      const length = body.lengthMinutes ?? teacher.defaultSlotMinutes;
      return createSlots(
        c.env,
        getDb(c.env),
        teacher,
        { intervals: [{ startsAt, endsAt: startsAt + length * 60_000 }], subject: body.subject, seriesId: null },
        now,
        guard,
      );
    });
    return c.json(result, 201);
  })

  .post('/slots/recurring', validate('json', recurringSchema), async (c) => {
    const body = c.req.valid('json');
    const now = c.get('now');
    const result = await asAssertedTeacher(c, async (teacher, guard) => {
      const all = expandWeeklyRule({
        ...body,
        lengthMinutes: body.lengthMinutes ?? teacher.defaultSlotMinutes,
        timeZone: teacher.timeZone,
      });
      if (all.length > MAX_OCCURRENCES)
        throw new DomainError(
          'too_many_slots',
          400,
          `A weekly rule can create at most ${MAX_OCCURRENCES} slots at once.`,
        );
      // Occurrences already in the past (earlier today, say) are skipped rather than refused.
      const intervals = all.filter((i) => i.startsAt > now && i.startsAt <= now + MAX_FUTURE_DAYS * DAY_MS);
      return {
        ...(await createSlots(
          c.env,
          getDb(c.env),
          teacher,
          { intervals, subject: body.subject, seriesId: newId() },
          now,
          guard,
        )),
        skippedPast: all.length - intervals.length,
      };
    });
    return c.json(result, 201);
  })

  .post('/slots/cancel', validate('json', z.object({ slotIds: z.array(z.uuid()).min(1).max(500) })), async (c) => {
    const result = await cancelOpenSlots(
      c.env,
      getDb(c.env),
      currentTeacher(c),
      c.req.valid('json').slotIds,
      c.get('now'),
    );
    return c.json(result);
  });
