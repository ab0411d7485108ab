import { describe, expect, it } from 'vitest';
import { Temporal } from 'temporal-polyfill';
import {
  addDays,
  dateIn,
  dayOfWeek,
  formatWeekRange,
  instantAt,
  isIsoDate,
  minutesIn,
  minutesOf,
  mondayOf,
  startOfDay,
  weekDays,
} from './dates.ts';

/**
 * Zones with and without clock changes: Chatham changes at 02:45 and by an hour, Lord Howe by half an hour,
 * Santiago, Havana and Beirut skip or repeat midnight itself.
 */
const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'America/Santiago',
  'Australia/Lord_Howe',
  'America/Havana',
  'Asia/Beirut',
  'UTC',
];
const FIRST_DAY = Temporal.PlainDate.from('2026-01-01');
const DAYS = 730;
const clock = (minutes: number) => Temporal.PlainTime.from({ hour: Math.floor(minutes / 60), minute: minutes % 60 });

/** Every date of two years in a zone, with whether its clocks change that day. */
function* datesIn(timeZone: string) {
  for (let i = 0, date = FIRST_DAY; i < DAYS; i++, date = date.add({ days: 1 })) {
    const start = date.toZonedDateTime({ timeZone });
    yield { date, changes: start.offsetNanoseconds !== start.add({ days: 1 }).offsetNanoseconds };
  }
}

describe('dates and wall times agree with Temporal', () => {
  it('starts every day of two years at the instant Temporal does, in zones with and without clock changes', () => {
    for (const timeZone of ZONES) {
      for (const { date } of datesIn(timeZone)) {
        const expected = date.toZonedDateTime({ timeZone }).epochMilliseconds;
        expect(startOfDay(date.toString(), timeZone), `${timeZone} ${date}`).toBe(expected);
      }
    }
  }, 30_000);

  it('finds the instant of a wall time as Temporal’s compatible rule does: every quarter hour of each clock-change day', () => {
    let changeDays = 0;
    for (const timeZone of ZONES) {
      for (const { date, changes } of datesIn(timeZone)) {
        // A clock-change day at every quarter hour, through its gap or overlap; a Wednesday at a few times.
        const times = changes ? Array.from({ length: 96 }, (_, i) => i * 15) : date.dayOfWeek === 3 ? [150, 1425] : [];
        if (changes) changeDays++;
        for (const minutes of times) {
          const expected = date.toZonedDateTime({ timeZone, plainTime: clock(minutes) }).epochMilliseconds;
          expect(instantAt(date.toString(), minutes, timeZone), `${timeZone} ${date} ${clock(minutes)}`).toBe(expected);
        }
      }
    }
    // Two years of eight zones with clock changes (Beirut and Havana included): the quarter hours did meet gaps.
    expect(changeDays).toBeGreaterThan(25);
  }, 30_000);

  it('moves a time in a spring gap forward by the gap, and takes the first of an autumn time repeated', () => {
    // Berlin, 29 March 2026: 02:00 → 03:00; 25 October: 03:00 → 02:00.
    expect(instantAt('2026-03-29', minutesOf('02:30'), 'Europe/Berlin')).toBe(Date.parse('2026-03-29T01:30Z'));
    expect(instantAt('2026-10-25', minutesOf('02:30'), 'Europe/Berlin')).toBe(Date.parse('2026-10-25T00:30Z'));
    // Lord Howe, 4 October 2026: 02:00 → 02:30 (+10:30 → +11); 5 April: 02:00 → 01:30.
    expect(instantAt('2026-10-04', minutesOf('02:15'), 'Australia/Lord_Howe')).toBe(Date.parse('2026-10-03T15:45Z'));
    expect(instantAt('2026-04-05', minutesOf('01:45'), 'Australia/Lord_Howe')).toBe(Date.parse('2026-04-04T14:45Z'));
  });

  it('reads the wall clock of instants through a day of clock changes as Temporal does', () => {
    for (const timeZone of ZONES) {
      for (const { date, changes } of datesIn(timeZone)) {
        if (!changes) continue;
        const start = date.toZonedDateTime({ timeZone }).epochMilliseconds;
        for (let instant = start - 3_600_000; instant < start + 27 * 3_600_000; instant += 15 * 60_000) {
          const zoned = Temporal.Instant.fromEpochMilliseconds(instant).toZonedDateTimeISO(timeZone);
          expect(dateIn(instant, timeZone)).toBe(zoned.toPlainDate().toString());
          expect(minutesIn(instant, timeZone)).toBe(zoned.hour * 60 + zoned.minute);
        }
      }
    }
  }, 30_000);

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

  it('names a week as one range, saying a shared month and year once, in the reader’s language', () => {
    // Intl separates a range with thin or plain spaces depending on the ICU version: compare the words.
    const spaced = (text: string) => text.replace(/\s+/g, ' ');
    expect(spaced(formatWeekRange('2026-11-02', 'en-US'))).toBe('Nov 2 – 8, 2026');
    expect(spaced(formatWeekRange('2026-11-30', 'en-US'))).toBe('Nov 30 – Dec 6, 2026');
    expect(spaced(formatWeekRange('2026-12-28', 'en-US'))).toBe('Dec 28, 2026 – Jan 3, 2027');
    expect(spaced(formatWeekRange('2026-11-02', 'en-GB'))).toBe('2 – 8 Nov 2026');
    expect(spaced(formatWeekRange('2026-11-30', 'en-GB'))).toBe('30 Nov – 6 Dec 2026');
  });
});
