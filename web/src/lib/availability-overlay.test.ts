import { describe, expect, it } from 'vitest';
import { availabilityInWeek, overlayForWeek, rangeText, type DayRanges } from './availability-overlay.ts';

const week = (monday: string) => monday;
/** Only the days with times, as { "2026-02-03": ["23:00–24:00"] }. */
const shown = (days: DayRanges[]) =>
  Object.fromEntries(days.filter((d) => d.ranges.length > 0).map((d) => [d.date, d.ranges.map(rangeText)]));
const tuesdayEvening = [{ day: 2, start: '17:00', end: '19:30' }];

describe('availabilityInWeek', () => {
  it('returns the seven days of the teacher’s week, Monday first', () => {
    const days = availabilityInWeek([], 'Europe/Berlin', week('2026-02-02'), 'Europe/Berlin');
    expect(days.map((d) => d.date)).toEqual([
      '2026-02-02',
      '2026-02-03',
      '2026-02-04',
      '2026-02-05',
      '2026-02-06',
      '2026-02-07',
      '2026-02-08',
    ]);
    expect(days.every((d) => d.ranges.length === 0)).toBe(true);
  });

  it('keeps the times as they are when both are in the same zone', () => {
    expect(shown(availabilityInWeek(tuesdayEvening, 'Europe/Berlin', week('2026-02-02'), 'Europe/Berlin'))).toEqual({
      '2026-02-03': ['17:00–19:30'],
    });
  });

  it('moves New York evenings six hours later in Berlin in winter and splits them at midnight', () => {
    expect(shown(availabilityInWeek(tuesdayEvening, 'America/New_York', week('2026-02-02'), 'Europe/Berlin'))).toEqual({
      '2026-02-03': ['23:00–24:00'],
      '2026-02-04': ['00:00–01:30'],
    });
  });

  it('moves them only five hours in the weeks when New York has switched to summer time and Berlin has not', () => {
    // New York springs forward on 8 March 2026, Berlin on 29 March.
    expect(shown(availabilityInWeek(tuesdayEvening, 'America/New_York', week('2026-03-09'), 'Europe/Berlin'))).toEqual({
      '2026-03-10': ['22:00–24:00'],
      '2026-03-11': ['00:00–00:30'],
    });
    expect(shown(availabilityInWeek(tuesdayEvening, 'America/New_York', week('2026-03-30'), 'Europe/Berlin'))).toEqual({
      '2026-03-31': ['23:00–24:00'],
      '2026-04-01': ['00:00–01:30'],
    });
  });

  it('follows Berlin’s switch in the middle of the week, and takes in the previous Sunday’s overflow on Monday', () => {
    const weekends = [
      { day: 6, start: '17:00', end: '19:30' },
      { day: 7, start: '17:00', end: '19:30' },
    ];
    expect(shown(availabilityInWeek(weekends, 'America/New_York', week('2026-03-23'), 'Europe/Berlin'))).toEqual({
      '2026-03-23': ['00:00–00:30'], // Sunday 22 March, 19:00–19:30 in New York
      '2026-03-28': ['22:00–24:00'], // Saturday, Berlin still on winter time (+5 h)
      '2026-03-29': ['00:00–00:30', '23:00–24:00'], // Berlin has switched by Sunday evening (+6 h); the rest is next Monday
    });
  });

  it('handles autumn, when Berlin falls back a week before New York', () => {
    // Berlin falls back on 25 October 2026, New York on 1 November.
    const weekends = [
      { day: 6, start: '17:00', end: '19:30' },
      { day: 7, start: '17:00', end: '19:30' },
    ];
    expect(shown(availabilityInWeek(weekends, 'America/New_York', week('2026-10-26'), 'Europe/Berlin'))).toEqual({
      '2026-10-26': ['00:00–00:30'],
      '2026-10-31': ['22:00–24:00'],
      '2026-11-01': ['00:00–00:30', '23:00–24:00'], // New York is on winter time by Sunday evening
    });
    expect(shown(availabilityInWeek(tuesdayEvening, 'America/New_York', week('2026-11-02'), 'Europe/Berlin'))).toEqual({
      '2026-11-03': ['23:00–24:00'],
      '2026-11-04': ['00:00–01:30'],
    });
  });

  it('moves a range to the previous day when the student is ahead of the teacher', () => {
    const earlyMonday = [{ day: 1, start: '03:00', end: '05:00' }];
    // Monday 3:00 in Berlin is Sunday 21:00 in New York: this week's Monday morning falls in last week.
    expect(shown(availabilityInWeek(earlyMonday, 'Europe/Berlin', week('2026-02-02'), 'America/New_York'))).toEqual({
      '2026-02-08': ['21:00–23:00'],
    });
  });

  it('converts zones with half-hour offsets', () => {
    expect(
      shown(
        availabilityInWeek(
          [{ day: 1, start: '09:00', end: '10:00' }],
          'Asia/Kolkata',
          week('2026-02-02'),
          'Europe/Berlin',
        ),
      ),
    ).toEqual({ '2026-02-02': ['04:30–05:30'] });
  });

  it('reads 24:00 as the end of the day and joins ranges that meet after conversion', () => {
    const lateNight = [
      { day: 1, start: '22:00', end: '24:00' },
      { day: 2, start: '00:00', end: '02:00' },
    ];
    expect(shown(availabilityInWeek(lateNight, 'Europe/Berlin', week('2026-02-02'), 'UTC'))).toEqual({
      '2026-02-02': ['21:00–24:00'],
      '2026-02-03': ['00:00–01:00'],
    });
  });

  it('counts the real hours of a range that spans the student’s spring-forward night', () => {
    // 01:00 EST to 04:00 EDT on 8 March 2026 is two hours: 07:00–09:00 in Berlin.
    expect(
      shown(
        availabilityInWeek(
          [{ day: 7, start: '01:00', end: '04:00' }],
          'America/New_York',
          week('2026-03-02'),
          'Europe/Berlin',
        ),
      ),
    ).toEqual({ '2026-03-08': ['07:00–09:00'] });
  });
});

describe('overlayForWeek', () => {
  it('lists, for each date of the week, the students free that day with their name and color', () => {
    const overlay = overlayForWeek(
      [
        { id: 'a', name: 'Priya', color: '#b91c1c', timeZone: 'America/New_York', weeklyRanges: tuesdayEvening },
        {
          id: 'b',
          name: 'Jonas',
          color: '#047857',
          timeZone: 'Europe/Berlin',
          weeklyRanges: [
            { day: 2, start: '09:00', end: '12:00' },
            { day: 3, start: '14:00', end: '16:00' },
          ],
        },
      ],
      week('2026-02-02'),
      'Europe/Berlin',
    );
    expect([...overlay.keys()]).toEqual([
      '2026-02-02',
      '2026-02-03',
      '2026-02-04',
      '2026-02-05',
      '2026-02-06',
      '2026-02-07',
      '2026-02-08',
    ]);
    expect(overlay.get('2026-02-02')).toEqual([]);
    expect(overlay.get('2026-02-03')).toEqual([
      { id: 'a', name: 'Priya', color: '#b91c1c', ranges: [{ start: '23:00', end: '24:00' }] },
      { id: 'b', name: 'Jonas', color: '#047857', ranges: [{ start: '09:00', end: '12:00' }] },
    ]);
    expect(overlay.get('2026-02-04')!.map((s) => [s.name, s.ranges.map(rangeText)])).toEqual([
      ['Priya', ['00:00–01:30']],
      ['Jonas', ['14:00–16:00']],
    ]);
  });

  it('leaves out a student whose time zone the browser does not know', () => {
    const overlay = overlayForWeek(
      [{ id: 'a', name: 'Priya', color: '#b91c1c', timeZone: 'Mars/Olympus_Mons', weeklyRanges: tuesdayEvening }],
      week('2026-02-02'),
      'Europe/Berlin',
    );
    expect([...overlay.values()].flat()).toEqual([]);
  });
});
