import { Hono } from 'hono';
import { z } from 'zod';
import { teachers } from '../../db/schema.ts';
import { getDb } from '../db.ts';
import { currentTeacher, requireTeacher } from '../auth/guard.ts';
import type { AppEnv } from '../http/types.ts';
import { validate } from '../http/validate.ts';
import { singleLineText } from '../http/text.ts';
import { timeZoneSchema } from '../calendar/time-zone.ts';
import { MAX_SLOT_MINUTES } from '../calendar/slot-views.ts';
import { teacherProfile } from '../teachers/profile.ts';
import { updateSettings } from '../teachers/settings.ts';
import { reminderOffsetsSchema } from '../../shared/reminder-offsets.ts';
import { describeDuration } from '../../shared/booking-rules.ts';

const minutes = (max: number, label: string) =>
  z
    .number()
    .int()
    .min(0, `${label} can't be negative.`)
    .max(max, `${label} is at most ${describeDuration(max)}.`);

export const settingsSchema = z
  .object({
    displayName: singleLineText({ max: 80, noun: 'Names' }).min(1, 'Enter the name students see.'),
    timeZone: timeZoneSchema,
    minNoticeMinutes: minutes(60 * 24 * 30, 'Minimum notice'),
    cancellationWindowMinutes: minutes(60 * 24 * 30, 'The cancellation window'),
    rescheduleWindowMinutes: minutes(60 * 24 * 30, 'The reschedule window'),
    autoCompleteAfterDays: z
      .number()
      .int()
      .min(1, 'Complete unmarked sessions after at least 1 day, or keep them waiting for you.')
      .max(365, 'Complete unmarked sessions within 365 days, or keep them waiting for you.')
      .nullable(),
    notifyOnChanges: z.boolean(),
    defaultSlotMinutes: z
      .number()
      .int()
      .min(5, 'Slots are at least 5 minutes.')
      .max(MAX_SLOT_MINUTES, 'Slots are at most 12 hours.'),
    bookingHorizonDays: z
      .number()
      .int()
      .min(1, 'Allow booking at least 1 day ahead.')
      .max(730, 'The horizon is at most 730 days.'),
    bufferMinutes: minutes(240, 'The buffer'),
    defaultLinkDays: z
      .number()
      .int()
      .min(1, 'Share links last at least 1 day.')
      .max(365, 'Share links last at most 365 days.'),
    notifyOnBooking: z.boolean(),
    /** Minutes before each session when its reminders go out (jobs/reminders.ts). */
    reminderOffsetsMinutes: reminderOffsetsSchema,
    remindTeacher: z.boolean(),
  })
  .partial()
  .strict();

/** The booking rules: the teacher's profile without its id and calendar version. */
function settingsOf(t: typeof teachers.$inferSelect) {
  const { id: _id, calendarVersion: _version, ...settings } = teacherProfile(t);
  return settings;
}

export const teacherSettingsRoutes = new Hono<AppEnv>()
  .use(requireTeacher)
  .get('/', (c) => c.json(settingsOf(currentTeacher(c))))
  .patch('/', validate('json', settingsSchema), async (c) => {
    const teacher = currentTeacher(c);
    const changes = c.req.valid('json');
    if (Object.keys(changes).length === 0) return c.json(settingsOf(teacher));
    const updated = await updateSettings(c.env, getDb(c.env), teacher, changes, c.get('now'));
    return c.json(settingsOf(updated));
  });
