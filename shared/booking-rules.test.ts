import { describe, expect, it } from 'vitest';
import { bookingRefusal, cancelDeadline, describeDuration } from './booking-rules.ts';

const now = 1_900_000_000_000;
const rules = { minNoticeMinutes: 120, bookingHorizonDays: 14, cancellationWindowMinutes: 1440 };
const hours = (h: number) => now + h * 3_600_000;

describe('booking rules', () => {
  it('accepts a slot between the notice and the horizon', () => {
    expect(bookingRefusal(hours(3), rules, now)).toBeNull();
  });
  it('refuses a past slot, one inside the notice, and one beyond the horizon', () => {
    expect(bookingRefusal(hours(-1), rules, now)).toBe('slot_past');
    expect(bookingRefusal(hours(1.5), rules, now)).toBe('too_late_to_book');
    expect(bookingRefusal(hours(15 * 24), rules, now)).toBe('too_far_ahead');
  });
  it('puts the cancellation deadline one window before the start', () => {
    expect(cancelDeadline(hours(48), rules)).toBe(hours(24));
  });
  it('describes durations in plain words', () => {
    expect(describeDuration(1440)).toBe('1 day');
    expect(describeDuration(120)).toBe('2 hours');
    expect(describeDuration(45)).toBe('45 minutes');
  });
});
