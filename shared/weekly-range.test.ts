import { describe, expect, it } from 'vitest';
import { findOverlappingRanges, weeklyRangesSchema } from './weekly-range.ts';

describe('weekly availability ranges', () => {
  it('accepts ranges that touch and a range that runs to midnight', () => {
    const ranges = [
      { day: 2, start: '09:00', end: '11:00' },
      { day: 2, start: '11:00', end: '12:00' },
      { day: 7, start: '22:00', end: '24:00' },
    ];
    expect(weeklyRangesSchema.parse(ranges)).toEqual(ranges);
  });

  it('refuses a range that ends before it starts, an unknown day and a time that is not HH:MM', () => {
    for (const range of [
      { day: 1, start: '11:00', end: '10:00' },
      { day: 8, start: '09:00', end: '10:00' },
      { day: 1, start: '9:00', end: '10:00' },
    ])
      expect(weeklyRangesSchema.safeParse([range]).success, JSON.stringify(range)).toBe(false);
  });

  it('names both ranges of an overlap on the same day, and lets other days overlap freely', () => {
    const result = weeklyRangesSchema.safeParse([
      { day: 2, start: '10:30', end: '12:00' },
      { day: 2, start: '09:00', end: '11:00' },
      { day: 3, start: '09:00', end: '11:00' },
    ]);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual(['Tue 09:00–11:00 overlaps 10:30–12:00.']);
    expect(findOverlappingRanges([{ day: 3, start: '09:00', end: '11:00' }])).toEqual([]);
  });
});
