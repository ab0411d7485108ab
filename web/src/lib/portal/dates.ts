/**
 * Calendar dates for the booking page as ISO strings ("2027-03-15"), with only `Date` and `Intl`: the page
 * needs days, weeks and local midnights, and the Temporal polyfill would be a third of its JavaScript (it must
 * stay under 80 KB gzipped on a phone). Strings compare in date order, so `<` and `===` work on them.
 */

export type IsoDate = string;

const DAY = 86_400_000;
const utcOf = (date: IsoDate) => Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10));
const isoOf = (utcMs: number): IsoDate => new Date(utcMs).toISOString().slice(0, 10);

export const isIsoDate = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value) && isoOf(utcOf(value)) === value;
export const addDays = (date: IsoDate, days: number) => isoOf(utcOf(date) + days * DAY);
export const daysBetween = (from: IsoDate, to: IsoDate) => Math.round((utcOf(to) - utcOf(from)) / DAY);
/** 1 (Monday) to 7 (Sunday), as ISO 8601 numbers them. */
export const dayOfWeek = (date: IsoDate) => ((new Date(utcOf(date)).getUTCDay() + 6) % 7) + 1;
export const mondayOf = (date: IsoDate) => addDays(date, 1 - dayOfWeek(date));
export const dayOfMonth = (date: IsoDate) => +date.slice(8, 10);

const partsFormats = new Map<string, Intl.DateTimeFormat>();
function wallClock(epochMs: number, timeZone: string) {
  let format = partsFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    partsFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(epochMs);
  const value = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: value('year'),
    month: value('month'),
    day: value('day'),
    hour: value('hour'),
    minute: value('minute'),
  };
}

/** The date an instant falls on in a zone. */
export function dateIn(epochMs: number, timeZone: string): IsoDate {
  const { year, month, day } = wallClock(epochMs, timeZone);
  return isoOf(Date.UTC(year, month - 1, day));
}

/** The hour (0–23) an instant falls in, in a zone. */
export const hourIn = (epochMs: number, timeZone: string) => wallClock(epochMs, timeZone).hour;

export const todayIn = (timeZone: string) => dateIn(Date.now(), timeZone);

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function offsetAt(epochMs: number, timeZone: string): number {
  const w = wallClock(epochMs, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - Math.floor(epochMs / 60_000) * 60_000;
}

/**
 * The instant a day starts in a zone: local midnight, or, where a clock change skips midnight, the first
 * moment after the gap (as Temporal's `compatible` rule has it).
 */
export function startOfDay(date: IsoDate, timeZone: string): number {
  const wall = utcOf(date);
  let instant = wall - offsetAt(wall, timeZone);
  instant = wall - offsetAt(instant, timeZone);
  // Midnight skipped by a clock change lands on the day before: move past the gap.
  while (dateIn(instant, timeZone) < date) instant += 15 * 60_000;
  return instant;
}

const isoDateFormats = new Map<string, Intl.DateTimeFormat>();

/** A date in words in the reader's language: the options of `Intl.DateTimeFormat`, no zone shift. */
export function formatIsoDate(date: IsoDate, options: Intl.DateTimeFormatOptions): string {
  // One formatter per set of options, kept: the day strip and the week label dozens of dates per render.
  const key = JSON.stringify(options);
  let format = isoDateFormats.get(key);
  if (!format) isoDateFormats.set(key, (format = new Intl.DateTimeFormat(undefined, { ...options, timeZone: 'UTC' })));
  return format.format(utcOf(date));
}

export interface WeekDay {
  date: IsoDate;
  /** Epoch ms of the day's start and of the next day's start in the zone. */
  start: number;
  end: number;
}

export const weekDays = (monday: IsoDate, timeZone: string): WeekDay[] =>
  Array.from({ length: 7 }, (_, i) => {
    const date = addDays(monday, i);
    return { date, start: startOfDay(date, timeZone), end: startOfDay(addDays(date, 1), timeZone) };
  });

/** "30 Nov – 6 Dec 2026" */
export function formatWeekRange(monday: IsoDate): string {
  const sunday = addDays(monday, 6);
  const sameMonth = monday.slice(0, 7) === sunday.slice(0, 7);
  const start = formatIsoDate(monday, sameMonth ? { day: 'numeric' } : { day: 'numeric', month: 'short' });
  return `${start} – ${formatIsoDate(sunday, { day: 'numeric', month: 'short', year: 'numeric' })}`;
}
