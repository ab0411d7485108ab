/**
 * Time zones as a person reads them: every zone the runtime knows, under its current IANA name (browsers still
 * report some outdated ones, "Asia/Calcutta" for India), labelled "Kolkata · India Standard Time (GMT+5:30)",
 * and found by any part of that label. Only `Intl`, no zone data of our own, so the portal's zone picker and
 * the Worker's emails name zones the same way.
 */
import { offsetAt } from './dates.ts';

/** Outdated IDs that `Intl` still hands out (its canonical list follows CLDR), mapped to today's IANA names. */
const CURRENT_NAMES: Record<string, string> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Louisville': 'America/Kentucky/Louisville',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
  'Asia/Dacca': 'Asia/Dhaka',
  'Asia/Thimbu': 'Asia/Thimphu',
  'Asia/Ulan_Bator': 'Asia/Ulaanbaatar',
  'Asia/Macao': 'Asia/Macau',
  'Asia/Chungking': 'Asia/Chongqing',
};

/** Today's IANA name for a zone ID (an outdated alias becomes the current name; others pass through). */
export const currentZoneName = (id: string) => CURRENT_NAMES[id] ?? id;

/** True when `id` is a zone this runtime can show times in. */
export function isKnownZone(id: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: id });
    return true;
  } catch {
    return false;
  }
}

export interface ZoneChoice {
  id: string;
  /** "Kolkata" */
  city: string;
  /** "India Standard Time" */
  name: string;
  /** "GMT+5:30" at the moment the list was made. */
  offset: string;
  /** Everything a search may match, lower-cased. */
  haystack: string;
}

/**
 * Building an Intl.DateTimeFormat is the slow part (a few tenths of a millisecond), and every email names its
 * zone with two of them (readableZone). The last few are kept; a list of every zone (allZones) passes through
 * without keeping hundreds.
 */
const zoneFormats = new Map<string, Intl.DateTimeFormat>();
const ZONE_FORMATS_KEPT = 32;

function zonePart(id: string, style: 'longGeneric' | 'shortOffset', locale?: string, at = Date.now()): string {
  const key = `${locale ?? ''}|${id}|${style}`;
  try {
    let format = zoneFormats.get(key);
    if (!format) {
      format = new Intl.DateTimeFormat(locale, { timeZone: id, timeZoneName: style });
      if (zoneFormats.size >= ZONE_FORMATS_KEPT) zoneFormats.clear();
      zoneFormats.set(key, format);
    }
    return format.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? '';
  } catch {
    return '';
  }
}

/** "Kolkata" from "Asia/Kolkata", "Buenos Aires" from "America/Argentina/Buenos_Aires". */
export const cityOf = (id: string) => (id.split('/').at(-1) ?? id).replaceAll('_', ' ');

export function describeZone(id: string, locale?: string, at = Date.now()): ZoneChoice {
  const city = cityOf(id);
  const name = zonePart(id, 'longGeneric', locale, at);
  const offset = zonePart(id, 'shortOffset', locale, at);
  const region = id.includes('/') ? id.split('/')[0]! : '';
  return { id, city, name, offset, haystack: `${city} ${name} ${offset} ${id} ${region}`.toLowerCase() };
}

/** "Kolkata · India Standard Time (GMT+5:30)" */
export const zoneLabel = (zone: ZoneChoice) =>
  `${zone.city}${zone.name ? ` · ${zone.name}` : ''}${zone.offset ? ` (${zone.offset})` : ''}`;

/** Every zone the browser knows, once each under its current name, by UTC offset then city. */
export function allZones(locale?: string, at = Date.now()): ZoneChoice[] {
  const ids = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC'];
  const unique = [...new Set(ids.map(currentZoneName))].filter(isKnownZone);
  return unique
    .map((id) => ({ zone: describeZone(id, locale, at), offset: offsetAt(at, id) }))
    .sort((a, b) => a.offset - b.offset || a.zone.city.localeCompare(b.zone.city))
    .map((entry) => entry.zone);
}

/**
 * Zones whose label holds every word of the query (any order, any case); all of them for an empty query. Best
 * matches first: zones where each word is a whole word of the label ("india" finds India Standard Time before
 * Indianapolis and the Indian Ocean's islands), then cities that start with the query ("kolk"); otherwise by
 * offset, as listed.
 */
export function searchZones(zones: ZoneChoice[], query: string): ZoneChoice[] {
  const text = query.toLowerCase().replaceAll('_', ' ').trim();
  const words = text.split(/\s+/).filter(Boolean);
  if (words.length === 0) return zones;
  const rank = (zone: ZoneChoice) => {
    const labelWords = new Set(zone.haystack.split(/[\s/()]+/));
    if (words.every((word) => labelWords.has(word))) return 0;
    return zone.city.toLowerCase().startsWith(text) ? 1 : 2;
  };
  return zones
    .filter((zone) => words.every((word) => zone.haystack.includes(word)))
    .map((zone) => ({ zone, rank: rank(zone) }))
    .sort((a, b) => a.rank - b.rank)
    .map((entry) => entry.zone);
}

/**
 * A zone named for a reader at a given moment, for running text (emails): "New York, Eastern Time, GMT-5",
 * with the offset in force at `at` (the session's start), under the zone's current name. A zone whose only
 * name is an offset ("GMT+00:00" for UTC) is not named twice.
 */
export function readableZone(id: string, at: number, locale?: string): string {
  const zone = describeZone(currentZoneName(id), locale, at);
  const name = /^(GMT|UTC)([+-]|$)/.test(zone.name) ? '' : zone.name;
  // "Etc/GMT+5" is five hours *behind* GMT (POSIX signs): its "city" would mislead, its offset says it right.
  const city = zone.id.startsWith('Etc/') ? '' : zone.city;
  return [city, name, zone.offset].filter(Boolean).join(', ');
}
