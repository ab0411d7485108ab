import { describe, expect, it } from 'vitest';
import { Temporal } from 'temporal-polyfill';
import { hourRange, slotBox, snapToQuarter, clockTime, weekToOpen } from './week-grid.ts';

const zone = 'Europe/Berlin';
const at = (iso: string) => Temporal.ZonedDateTime.from(`${iso}[${zone}]`).epochMilliseconds;
const slot = (start: string, minutes: number) => ({ startsAt: at(start), endsAt: at(start) + minutes * 60_000 });

describe('the time grid', () => {
  it('shows a working day unless a slot falls outside it', () => {
    expect(hourRange([], zone)).toEqual({ first: 8, last: 20 });
    expect(hourRange([slot('2030-03-05T06:30', 60), slot('2030-03-06T21:15', 60)], zone)).toEqual({
      first: 6,
      last: 23,
    });
  });

  it('places a slot at its wall-clock time on the day summer time starts', () => {
    // 31 March 2030: clocks jump from 02:00 to 03:00 in Berlin; 10:00 is still ten rows down from midnight.
    expect(slotBox(slot('2030-03-31T10:00', 45), zone, 8, 20)).toEqual({ top: 120, height: 45 });
  });

  it('snaps a point on an empty column to the quarter hour it is in', () => {
    // 8:00 to 20:00; a third of the way down is 12:00, a little below is still 12:00.
    expect(clockTime(snapToQuarter(1 / 3, 8, 20))).toBe('12:00');
    expect(clockTime(snapToQuarter(1 / 3 + 0.01, 8, 20))).toBe('12:00');
    expect(clockTime(snapToQuarter(1, 8, 20))).toBe('19:45');
  });

  it('opens on the week of the next slot, not on an empty week', () => {
    const now = at('2030-03-06T12:00'); // a Wednesday
    expect(weekToOpen([], now, zone).toString()).toBe('2030-03-04');
    const later = [slot('2030-03-27T10:00', 60), slot('2030-03-01T10:00', 60)];
    expect(weekToOpen(later, now, zone).toString()).toBe('2030-03-25');
    // A session going on right now keeps this week on screen.
    expect(weekToOpen([slot('2030-03-06T11:30', 60), ...later], now, zone).toString()).toBe('2030-03-04');
  });
});
