import { describe, expect, it } from 'vitest';
import { Temporal } from 'temporal-polyfill';
import { addDays, dateIn, dayOfWeek, isIsoDate, mondayOf, startOfDay, weekDays } from './dates.ts';
import { blockStart, timeOfDay } from './portal-calendar.ts';

const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham', 'America/Santiago', 'UTC'];

describe('the booking page’s dates agree with Temporal', () => {
  it('starts every day of two years at the instant Temporal does, in zones with and without clock changes', () => {
    for (const timeZone of ZONES) {
      let date = Temporal.PlainDate.from('2026-01-01');
      for (let i = 0; i < 730; i++, date = date.add({ days: 1 })) {
        const expected = date.toZonedDateTime({ timeZone }).epochMilliseconds;
        expect(startOfDay(date.toString(), timeZone), `${timeZone} ${date}`).toBe(expected);
      }
    }
  });

  it('tells the date and weekday of an instant in a zone', () => {
    const instant = Date.UTC(2027, 2, 14, 23, 30); // Sunday 14 March 2027, 23:30 UTC
    expect(dateIn(instant, 'UTC')).toBe('2027-03-14');
    expect(dateIn(instant, 'Asia/Kolkata')).toBe('2027-03-15');
    expect(dateIn(instant, 'America/New_York')).toBe('2027-03-14');
    expect(dayOfWeek('2027-03-14')).toBe(7);
    expect(mondayOf('2027-03-14')).toBe('2027-03-08');
    expect(addDays('2027-02-27', 2)).toBe('2027-03-01');
  });

  it('makes a week of seven days that follow each other, across a clock change', () => {
    const days = weekDays('2027-03-08', 'America/New_York');
    expect(days.map((d) => d.date)).toEqual([
      '2027-03-08',
      '2027-03-09',
      '2027-03-10',
      '2027-03-11',
      '2027-03-12',
      '2027-03-13',
      '2027-03-14',
    ]);
    for (const [i, day] of days.entries()) if (i > 0) expect(day.start).toBe(days[i - 1]!.end);
    expect(days[6]!.end - days[6]!.start).toBe(23 * 3_600_000);
  });

  it('accepts only whole, real dates', () => {
    expect(isIsoDate('2027-02-28')).toBe(true);
    expect(isIsoDate('2027-02-30')).toBe(false);
    expect(isIsoDate('2027-2-3')).toBe(false);
  });

  it('groups weeks into blocks of five from this week', () => {
    expect(blockStart('2027-03-08', '2027-03-08')).toBe('2027-03-08');
    expect(blockStart('2027-04-05', '2027-03-08')).toBe('2027-03-08');
    expect(blockStart('2027-04-12', '2027-03-08')).toBe('2027-04-12');
  });

  it('sorts a time into morning, afternoon or evening in the student’s zone', () => {
    const nineUtc = Date.UTC(2027, 0, 10, 9);
    expect(timeOfDay(nineUtc, 'UTC')).toBe('morning');
    expect(timeOfDay(nineUtc, 'Asia/Kolkata')).toBe('afternoon');
    expect(timeOfDay(nineUtc, 'Asia/Tokyo')).toBe('evening');
  });
});
