/**
 * The teacher's reminder offsets: how long before a session its reminders go out. The API validates with this
 * schema and the settings page shows and edits offsets as hours or days with the same helpers.
 */
import { z } from 'zod';

export const MIN_REMINDER_OFFSET_MINUTES = 15;
export const MAX_REMINDER_OFFSET_MINUTES = 7 * 24 * 60;
export const MAX_REMINDERS = 3;
export const DEFAULT_REMINDER_OFFSETS = [1440, 60];

export const reminderOffsetsSchema = z
  .array(
    z
      .number()
      .int('Give reminder times in whole minutes.')
      .min(MIN_REMINDER_OFFSET_MINUTES, 'A reminder goes out at least 15 minutes before the session.')
      .max(MAX_REMINDER_OFFSET_MINUTES, 'A reminder goes out at most 7 days before the session.'),
  )
  .max(MAX_REMINDERS, 'Choose at most three reminders.')
  .refine((offsets) => new Set(offsets).size === offsets.length, 'Each reminder needs a different time.')
  // Stored longest first, the order they go out in.
  .transform((offsets) => [...offsets].sort((a, b) => b - a));

export type ReminderUnit = 'minutes' | 'hours' | 'days';

const MINUTES_PER: Record<ReminderUnit, number> = { minutes: 1, hours: 60, days: 24 * 60 };

/** An offset as a person would say it: the largest unit that divides it (1440 → 1 day, 90 → 90 minutes). */
export function offsetParts(minutes: number): { amount: number; unit: ReminderUnit } {
  if (minutes % MINUTES_PER.days === 0) return { amount: minutes / MINUTES_PER.days, unit: 'days' };
  if (minutes % MINUTES_PER.hours === 0) return { amount: minutes / MINUTES_PER.hours, unit: 'hours' };
  return { amount: minutes, unit: 'minutes' };
}

export const offsetMinutes = (amount: number, unit: ReminderUnit) => Math.round(amount * MINUTES_PER[unit]);

/** "1 day before", "2 hours before", "30 minutes before". */
export function describeOffset(minutes: number): string {
  const { amount, unit } = offsetParts(minutes);
  return `${amount} ${amount === 1 ? unit.slice(0, -1) : unit} before`;
}
