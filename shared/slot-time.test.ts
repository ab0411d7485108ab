import { describe, expect, it } from 'vitest';
import { formatDateTime, formatSlotTime, formatTime } from './slot-time.ts';

// 15 March 2027 09:00 in London (GMT, before the clocks change on 28 March).
const nine = Date.UTC(2027, 2, 15, 9, 0);
const minutes = (m: number) => m * 60_000;
const london = { timeZone: 'Europe/London', locale: 'en-GB' };

describe('slot times as words', () => {
  it('writes a short day with the start and end times', () => {
    expect(formatSlotTime(nine, nine + minutes(60), london)).toBe('Mon 15 Mar, 09:00–10:00');
  });

  it('writes the long day with the year and the zone named for a reader', () => {
    expect(formatSlotTime(nine, nine + minutes(45), { ...london, weekday: 'long', year: true, showZone: true })).toBe(
      'Monday, 15 March 2027, 09:00–09:45 (London, United Kingdom Time, GMT+0)',
    );
  });

  it('shows the times in the zone asked for, not the runtime’s', () => {
    expect(formatSlotTime(nine, nine + minutes(30), { timeZone: 'Asia/Tokyo', locale: 'en-GB' })).toBe(
      'Mon 15 Mar, 18:00–18:30',
    );
  });

  it('names the end day when a session runs past midnight in that zone', () => {
    const late = Date.UTC(2027, 2, 15, 23, 30);
    expect(formatSlotTime(late, late + minutes(60), london)).toBe('Mon 15 Mar, 23:30–Tue 16 Mar, 00:30');
    // The same session seen from New York (19:30–20:30) stays on one day.
    expect(formatSlotTime(late, late + minutes(60), { timeZone: 'America/New_York', locale: 'en-GB' })).toBe(
      'Mon 15 Mar, 19:30–20:30',
    );
  });

  it('does not call a session that ends exactly at midnight a two-day one', () => {
    const eleven = Date.UTC(2027, 2, 15, 23, 0);
    expect(formatSlotTime(eleven, eleven + minutes(60), london)).toBe('Mon 15 Mar, 23:00–00:00');
  });

  it('formats a lone time and a day with its time', () => {
    expect(formatTime(nine, 'Europe/London', 'en-GB')).toBe('09:00');
    expect(formatDateTime(nine, { ...london, year: true })).toBe('Mon, 15 Mar 2027, 09:00');
  });
});
