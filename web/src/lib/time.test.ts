import { describe, expect, it } from 'vitest';
import { Temporal } from 'temporal-polyfill';
import { formatDay, parseWeekParam } from './time.ts';

describe('day labels', () => {
  it('read as Temporal’s own, for days across a year and a clock change', () => {
    for (let date = Temporal.PlainDate.from('2026-01-01'); date.year === 2026; date = date.add({ days: 13 })) {
      expect(formatDay(date.toString())).toBe(
        date.toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short' }),
      );
      expect(formatDay(date.toString(), 'long')).toBe(
        date.toLocaleString(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }),
      );
    }
  });
});

describe('the week an address names', () => {
  it('is the week of any of its days, or this week for a date that is not one', () => {
    expect(parseWeekParam('2026-03-04', 'Europe/Berlin')).toBe('2026-03-02');
    expect(parseWeekParam('2026-03-08', 'Europe/Berlin')).toBe('2026-03-02');
    const thisMonday = parseWeekParam(null, 'Europe/Berlin');
    expect(Temporal.PlainDate.from(thisMonday).dayOfWeek).toBe(1);
    expect(parseWeekParam('2026-02-30', 'Europe/Berlin')).toBe(thisMonday);
  });
});
