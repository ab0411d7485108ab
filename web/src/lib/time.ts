/** Weeks, days and times in a given IANA zone, with Temporal. */
import { Temporal } from 'temporal-polyfill';

export interface WeekDay {
  date: Temporal.PlainDate;
  /** Epoch ms of local midnight starting and ending the day. */
  start: number;
  end: number;
}

export const today = (timeZone: string) => Temporal.Now.plainDateISO(timeZone);

/** The Monday starting the week that contains `date`. */
export const mondayOf = (date: Temporal.PlainDate) => date.subtract({ days: date.dayOfWeek - 1 });

export function weekDays(monday: Temporal.PlainDate, timeZone: string): WeekDay[] {
  return Array.from({ length: 7 }, (_, i) => {
    const date = monday.add({ days: i });
    return {
      date,
      start: date.toZonedDateTime({ timeZone }).epochMilliseconds,
      end: date.add({ days: 1 }).toZonedDateTime({ timeZone }).epochMilliseconds,
    };
  });
}

export function parseWeekParam(value: string | null, timeZone: string): Temporal.PlainDate {
  if (value) {
    try {
      return mondayOf(Temporal.PlainDate.from(value));
    } catch {
      // Fall through to this week.
    }
  }
  return mondayOf(today(timeZone));
}

// Formatters made once: Temporal's toLocaleString builds a new Intl.DateTimeFormat on every call, and a week
// labels each day twice. A plain date is formatted as its UTC midnight, in UTC.
const dayFormats = {
  short: new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' }),
  long: new Intl.DateTimeFormat(undefined, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }),
};
const rangeFormats = {
  day: new Intl.DateTimeFormat(undefined, { day: 'numeric', timeZone: 'UTC' }),
  dayMonth: new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' }),
  full: new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }),
};
const utcMidnight = (date: Temporal.PlainDate) => Date.UTC(date.year, date.month - 1, date.day);

export const formatDay = (date: Temporal.PlainDate, style: 'short' | 'long' = 'short') =>
  dayFormats[style].format(utcMidnight(date));

export const formatWeekRange = (monday: Temporal.PlainDate) => {
  const sunday = monday.add({ days: 6 });
  const sameMonth = monday.month === sunday.month;
  const start = (sameMonth ? rangeFormats.day : rangeFormats.dayMonth).format(utcMidnight(monday));
  return `${start} – ${rangeFormats.full.format(utcMidnight(sunday))}`;
};

export const dateInputValue = (date: Temporal.PlainDate) => date.toString();
