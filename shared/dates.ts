/**
 * Calendar dates as ISO strings ("2027-03-15") and wall times in IANA zones, with only `Date` and `Intl`: the
 * browser pages need days, weeks, local midnights and "10:00 on that date in that zone", and the Temporal
 * polyfill would be a fifth of a page's JavaScript (the booking portal must stay under 80 KB gzipped, and the
 * teacher's week loads faster on a phone without it). Strings compare in date order, so `<` and `===` work on
 * them. The Worker keeps Temporal; a unit test checks these against it across clock changes.
 */

export type IsoDate = string;

const DAY = 86_400_000;
const MINUTE = 60_000;
const utcOf = (date: IsoDate) => Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10));
const isoOf = (utcMs: number): IsoDate => new Date(utcMs).toISOString().slice(0, 10);

export const isIsoDate = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value) && isoOf(utcOf(value)) === value;
export const addDays = (date: IsoDate, days: number) => isoOf(utcOf(date) + days * DAY);
export const daysBetween = (from: IsoDate, to: IsoDate) => Math.round((utcOf(to) - utcOf(from)) / DAY);
/** 1 (Monday) to 7 (Sunday), as ISO 8601 numbers them. */
export const dayOfWeek = (date: IsoDate) => ((new Date(utcOf(date)).getUTCDay() + 6) % 7) + 1;
export const mondayOf = (date: IsoDate) => addDays(date, 1 - dayOfWeek(date));
export const dayOfMonth = (date: IsoDate) => +date.slice(8, 10);

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

// One formatter per zone, kept: a week's grid and overlay ask for hundreds of wall clocks per render.
const partsFormats = new Map<string, Intl.DateTimeFormat>();

/** The date and time (to the minute) a zone's clocks show at an instant. A zone `Intl` doesn't know: RangeError. */
export function wallClock(epochMs: number, timeZone: string): WallClock {
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
  const clock: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0 };
  for (const part of format.formatToParts(epochMs))
    if (part.type in clock) clock[part.type as keyof WallClock] = +part.value;
  return clock;
}

/** How far the zone's wall clock is ahead of UTC at an instant, in ms (whole minutes). */
export function offsetAt(epochMs: number, timeZone: string): number {
  const w = wallClock(epochMs, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - Math.floor(epochMs / MINUTE) * MINUTE;
}

/** The date an instant falls on in a zone. */
export function dateIn(epochMs: number, timeZone: string): IsoDate {
  const { year, month, day } = wallClock(epochMs, timeZone);
  return isoOf(Date.UTC(year, month - 1, day));
}

/** The hour (0–23) an instant falls in, in a zone. */
export const hourIn = (epochMs: number, timeZone: string) => wallClock(epochMs, timeZone).hour;

/** Minutes since the zone's midnight at an instant, as its clock reads (10:30 is 630 on a clock-change day too). */
export function minutesIn(epochMs: number, timeZone: string): number {
  const { hour, minute } = wallClock(epochMs, timeZone);
  return hour * 60 + minute;
}

export const todayIn = (timeZone: string) => dateIn(Date.now(), timeZone);

// The offsets a day either side of midnights: a week's eight midnights share them (Monday's "day after" is
// Wednesday's "day before"), so a week's midnights cost ten `Intl` calls, not forty-odd.
const probes = new Map<string, number>();
function probeOffset(epochMs: number, timeZone: string): number {
  const key = `${timeZone} ${epochMs}`;
  let offset = probes.get(key);
  if (offset === undefined) {
    // The overlay probes around every student's times too; a long session of browsing weeks starts afresh.
    if (probes.size > 20_000) probes.clear();
    probes.set(key, (offset = offsetAt(epochMs, timeZone)));
  }
  return offset;
}

/**
 * The instants at which a zone's clocks show a wall time (as epoch ms of that time read as UTC): one, none in a
 * spring-forward gap, two in an autumn overlap, earlier first. As Temporal finds them: with the offsets a day
 * before and a day after, so at most one clock change in between.
 */
function instantsShowing(wall: number, timeZone: string) {
  const before = probeOffset(wall - DAY, timeZone);
  const after = probeOffset(wall + DAY, timeZone);
  // No clock change within a day either side (nearly always): one instant, and no `Intl` call to check it.
  if (before === after) return { before, after, found: [wall - before] };
  const candidates = [...new Set([wall - before, wall - after])].sort((a, b) => a - b);
  return { before, after, found: candidates.filter((instant) => instant + offsetAt(instant, timeZone) === wall) };
}

/**
 * The instant a zone's clocks show `minutes` past midnight on `date`, by Temporal's `compatible` rule, as
 * calendar apps do: a time skipped by a spring-forward change moves forward by the gap (02:30 → 03:30), and a
 * time repeated in autumn is the first of the two. 1440 minutes is the next day's wall-clock midnight.
 */
export function instantAt(date: IsoDate, minutes: number, timeZone: string): number {
  const wall = utcOf(date) + minutes * MINUTE;
  const { before, found } = instantsShowing(wall, timeZone);
  // In a gap, read the wall time with the offset before the change: the same as moving it forward by the gap.
  return found[0] ?? wall - before;
}

/** "HH:MM" as minutes since midnight ("24:00" is 1440). */
export const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** "09:15" for minutes since midnight. */
export const clockTime = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/**
 * The instant a day starts in a zone: local midnight, or, where a clock change skips midnight, the first
 * moment after the gap (as Temporal's `startOfDay` has it; not the `compatible` rule, which could land later).
 */
export function startOfDay(date: IsoDate, timeZone: string): number {
  // Kept: a week's days, its grid and the live calendar's reads ask for the same few dozen days again and again,
  // and each answer costs several `Intl` calls (a long task on a slow phone's first render).
  const key = `${timeZone} ${date}`;
  let start = dayStarts.get(key);
  if (start === undefined) dayStarts.set(key, (start = findStartOfDay(date, timeZone)));
  return start;
}
const dayStarts = new Map<string, number>();

function findStartOfDay(date: IsoDate, timeZone: string): number {
  const wall = utcOf(date);
  const { after, found } = instantsShowing(wall, timeZone);
  if (found[0] !== undefined) return found[0];
  // Midnight is skipped: the day starts at the clock change, between midnight read with the later offset (still
  // the day before) and with the earlier one (already this day). Find the change to the minute.
  let low = wall - after;
  let high = wall - offsetAt(wall - DAY, timeZone);
  while (high - low > MINUTE) {
    const middle = low + Math.floor((high - low) / 2 / MINUTE) * MINUTE;
    if (dateIn(middle, timeZone) < date) low = middle;
    else high = middle;
  }
  return high;
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

export function weekDays(monday: IsoDate, timeZone: string): WeekDay[] {
  const starts = Array.from({ length: 8 }, (_, i) => startOfDay(addDays(monday, i), timeZone));
  return Array.from({ length: 7 }, (_, i) => ({ date: addDays(monday, i), start: starts[i]!, end: starts[i + 1]! }));
}

const weekRangeFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * A week's dates as one range in the reader's language ("Nov 2 – 8, 2026" in American English, "2–8 Nov 2026"
 * in British), by `Intl`'s own range rules, so the month and year are said once where they are shared.
 */
export function formatWeekRange(monday: IsoDate, locale?: string): string {
  const key = locale ?? '';
  let format = weekRangeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
    weekRangeFormats.set(key, format);
  }
  return format.formatRange(utcOf(monday), utcOf(addDays(monday, 6)));
}
