/** Whole-day periods for the picker, as `YYYY-MM-DD` strings (plain dates: UTC arithmetic never meets a DST change). */
const DAY_MS = 86_400_000;
const toDate = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const toIso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const addDays = (iso: string, days: number) => toIso(toDate(iso) + days * DAY_MS);

/** The `days` days ending on `to`, inclusive. */
export const lastDays = (to: string, days: number) => ({ from: addDays(to, -(days - 1)), to });

// Formatters are made once per zone and kept: making one is far slower than using it, and the links table
// alone labels some 600 instants for 200 links.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let made = formatters.get(key);
  if (!made) formatters.set(key, (made = make()));
  return made;
}

/** "3 Mar" or "3 Mar 2027" for a plain date. */
export function shortDate(iso: string, withYear = false): string {
  return formatter(
    `date:${withYear}`,
    () =>
      new Intl.DateTimeFormat('en-GB', {
        day: 'numeric',
        month: 'short',
        ...(withYear ? { year: 'numeric' } : {}),
        timeZone: 'UTC',
      }),
  ).format(toDate(iso));
}

/** An instant as the teacher reads it, in their zone: "Tue 3 Mar 2027, 14:05". */
export function instantLabel(epochMs: number | null, timeZone: string): string | null {
  if (epochMs === null) return null;
  return formatter(
    `instant:${timeZone}`,
    () =>
      new Intl.DateTimeFormat('en-GB', {
        weekday: 'short',
        day: 'numeric',
        month: 'short',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        timeZone,
      }),
  ).format(epochMs);
}

/** Hours as "2.5 h" under two days, else "3.1 days". */
export const hoursLabel = (hours: number | null) =>
  hours === null ? null : hours < 48 ? `${hours} h` : `${Math.round((hours / 24) * 10) / 10} days`;
