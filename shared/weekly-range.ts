/**
 * A student's weekly availability: one or more ranges a day, "HH:MM" wall times in the student's zone.
 * The zod schema is the one definition; the API validates with it and every other module derives the type.
 */
import { z } from 'zod';

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** "24:00" is allowed as an end: the range runs to the end of the day. */
const wallTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'Use a 24-hour time like 09:30.');

export const weeklyRangeSchema = z
  .object({
    /** ISO day: 1 = Monday … 7 = Sunday. */
    day: z.number().int().min(1).max(7),
    start: wallTimeSchema,
    end: wallTimeSchema,
  })
  .refine((r) => r.start < r.end, { message: 'Each range must start before it ends.' });

export type WeeklyRange = z.infer<typeof weeklyRangeSchema>;

/** Pairs of ranges on the same day that overlap (touching ends are fine). */
export function findOverlappingRanges(ranges: readonly WeeklyRange[]): [WeeklyRange, WeeklyRange][] {
  const sorted = [...ranges].sort((a, b) => a.day - b.day || a.start.localeCompare(b.start));
  const pairs: [WeeklyRange, WeeklyRange][] = [];
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const current = sorted[i]!;
    if (previous.day === current.day && current.start < previous.end) pairs.push([previous, current]);
  }
  return pairs;
}

/** A week's ranges: at most 70, none overlapping another on its day. */
export const weeklyRangesSchema = z
  .array(weeklyRangeSchema)
  .max(70, 'At most 70 ranges a week.')
  .superRefine((ranges, ctx) => {
    for (const [a, b] of findOverlappingRanges(ranges)) {
      ctx.addIssue({
        code: 'custom',
        message: `${DAY_NAMES[a.day - 1]} ${a.start}–${a.end} overlaps ${b.start}–${b.end}.`,
      });
    }
  });
