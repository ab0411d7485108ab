/**
 * A session's time as words, "Mon 15 Mar, 09:00–10:00", in one time zone: the one formatter for the web's
 * dialogs and lists, the emails and the API's messages. Only `Intl`, so it runs the same in the browser and
 * the Worker.
 */
import { readableZone } from './time-zones.ts';

export interface SlotTimeFormat {
  /** IANA zone the times are shown in. */
  timeZone: string;
  /** BCP 47 locale; left out, the runtime's own (the browser's language). Server text passes 'en-GB'. */
  locale?: string;
  /** 'long': "Monday 15 March"; 'short': "Mon 15 Mar". */
  weekday?: 'long' | 'short';
  /** Adds the year to the day. */
  year?: boolean;
  /** Adds the zone, named for a reader, in brackets: "(London, Greenwich Mean Time, GMT)" (readableZone). */
  showZone?: boolean;
}

// Building an Intl.DateTimeFormat is the slow part; a week view formats dozens of times with the same few.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = JSON.stringify([locale ?? '', options]);
  let cached = formatters.get(key);
  if (!cached) {
    cached = new Intl.DateTimeFormat(locale, options);
    formatters.set(key, cached);
  }
  return cached;
}

/** "09:00" (or "09:00 AM" where the locale says so) at `epochMs` in `timeZone`. */
export const formatTime = (epochMs: number, timeZone: string, locale?: string) =>
  formatter(locale, { timeZone, hour: '2-digit', minute: '2-digit' }).format(epochMs);

/** The day `epochMs` falls on in the format's zone: "Mon 15 Mar", "Monday 15 March 2027". */
export function formatDate(epochMs: number, format: Omit<SlotTimeFormat, 'showZone'>): string {
  const long = format.weekday === 'long';
  return formatter(format.locale, {
    timeZone: format.timeZone,
    weekday: long ? 'long' : 'short',
    day: 'numeric',
    month: long ? 'long' : 'short',
    ...(format.year ? { year: 'numeric' as const } : {}),
  }).format(epochMs);
}

/** A day and time: "Mon 15 Mar, 09:00". */
export const formatDateTime = (epochMs: number, format: Omit<SlotTimeFormat, 'showZone'>) =>
  `${formatDate(epochMs, format)}, ${formatTime(epochMs, format.timeZone, format.locale)}`;

/** The calendar date in a zone, as a key that compares equal for the same day. */
const dateKey = (epochMs: number, timeZone: string) =>
  formatter('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(epochMs);

/**
 * "Mon 15 Mar, 09:00–10:00". A session that runs past midnight names its end day too
 * ("Mon 15 Mar, 23:30–Tue 16 Mar, 00:30"); one ending exactly at midnight does not cross it.
 */
export function formatSlotTime(startsAt: number, endsAt: number, format: SlotTimeFormat): string {
  const { timeZone, locale } = format;
  const crossesMidnight = dateKey(startsAt, timeZone) !== dateKey(Math.max(startsAt, endsAt - 1), timeZone);
  const end = crossesMidnight ? formatDateTime(endsAt, format) : formatTime(endsAt, timeZone, locale);
  const zone = format.showZone ? ` (${readableZone(timeZone, startsAt, locale)})` : '';
  return `${formatDateTime(startsAt, format)}–${end}${zone}`;
}
