import { describe, expect, it } from 'vitest';
import { Temporal } from 'temporal-polyfill';
import { formatDay, formatWeekRange } from './time.ts';

describe('day labels', () => {
  it('read as Temporal’s own, for days across a year and a clock change', () => {
    for (let date = Temporal.PlainDate.from('2026-01-01'); date.year === 2026; date = date.add({ days: 13 })) {
      expect(formatDay(date)).toBe(
        date.toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short' }),
      );
      expect(formatDay(date, 'long')).toBe(
        date.toLocaleString(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }),
      );
    }
  });

  it('name a week within a month, and one across two', () => {
    expect(formatWeekRange(Temporal.PlainDate.from('2026-11-02'))).toBe(
      `${(2).toLocaleString()} – ${Temporal.PlainDate.from('2026-11-08').toLocaleString(undefined, { day: 'numeric', month: 'short', year: 'numeric' })}`,
    );
    expect(formatWeekRange(Temporal.PlainDate.from('2026-11-30'))).toContain(
      Temporal.PlainDate.from('2026-11-30').toLocaleString(undefined, { day: 'numeric', month: 'short' }),
    );
  });
});
