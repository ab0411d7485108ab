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

export const formatDay = (date: Temporal.PlainDate, style: 'short' | 'long' = 'short') =>
  date.toLocaleString(
    undefined,
    style === 'short'
      ? { weekday: 'short', day: 'numeric', month: 'short' }
      : { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' },
  );

export const formatWeekRange = (monday: Temporal.PlainDate) => {
  const sunday = monday.add({ days: 6 });
  const sameMonth = monday.month === sunday.month;
  const start = monday.toLocaleString(undefined, sameMonth ? { day: 'numeric' } : { day: 'numeric', month: 'short' });
  return `${start} – ${sunday.toLocaleString(undefined, { day: 'numeric', month: 'short', year: 'numeric' })}`;
};

export const dateInputValue = (date: Temporal.PlainDate) => date.toString();
