import { describe, expect, it } from 'vitest';
import { describeOffset, offsetMinutes, offsetParts, reminderOffsetsSchema } from './reminder-offsets.ts';

describe('reminder offsets', () => {
  it('accepts zero to three distinct offsets between 15 minutes and 7 days, longest first', () => {
    expect(reminderOffsetsSchema.parse([])).toEqual([]);
    expect(reminderOffsetsSchema.parse([60, 1440])).toEqual([1440, 60]);
    expect(reminderOffsetsSchema.parse([15, 10080, 120])).toEqual([10080, 120, 15]);
  });

  it('refuses too many, repeated, too short or too long offsets', () => {
    expect(reminderOffsetsSchema.safeParse([60, 120, 180, 240]).success).toBe(false);
    expect(reminderOffsetsSchema.safeParse([60, 60]).success).toBe(false);
    expect(reminderOffsetsSchema.safeParse([14]).success).toBe(false);
    expect(reminderOffsetsSchema.safeParse([10081]).success).toBe(false);
    expect(reminderOffsetsSchema.safeParse([1.5 * 60 + 0.5]).success).toBe(false);
  });

  it('speaks in days and hours', () => {
    expect(offsetParts(1440)).toEqual({ amount: 1, unit: 'days' });
    expect(offsetParts(180)).toEqual({ amount: 3, unit: 'hours' });
    expect(offsetParts(90)).toEqual({ amount: 90, unit: 'minutes' });
    expect(offsetMinutes(2, 'days')).toBe(2880);
    expect(describeOffset(1440)).toBe('1 day before');
    expect(describeOffset(120)).toBe('2 hours before');
    expect(describeOffset(45)).toBe('45 minutes before');
  });
});
