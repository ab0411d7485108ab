import { describe, expect, it } from 'vitest';
import { blockStart, timeOfDay } from './portal-calendar.ts';

// The dates beneath these (days, weeks, local midnights) are checked against Temporal in shared/dates.test.ts.
describe('the booking page’s calendar', () => {
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
