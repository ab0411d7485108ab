/** The teacher's week: which week an address names, and day labels. Dates are ISO strings (`#shared/dates.ts`). */
import { formatIsoDate, isIsoDate, mondayOf, todayIn, type IsoDate } from '#shared/dates.ts';

/** The Monday of the week `?week=` names (any date in it), or of this week when it names none. */
export function parseWeekParam(value: string | null, timeZone: string): IsoDate {
  return mondayOf(value && isIsoDate(value) ? value : todayIn(timeZone));
}

const dayStyles = {
  short: { weekday: 'short', day: 'numeric', month: 'short' },
  long: { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' },
} as const satisfies Record<string, Intl.DateTimeFormatOptions>;

/** "Mon, 2 Mar" or "Monday, 2 March 2026", in the reader's language. */
export const formatDay = (date: IsoDate, style: keyof typeof dayStyles = 'short') =>
  formatIsoDate(date, dayStyles[style]);
