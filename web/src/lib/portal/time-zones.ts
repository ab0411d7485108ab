/**
 * The portal's time zone: the naming and search shared with the Worker's emails (`#shared/time-zones.ts`), and
 * the zone a student chose, remembered in this browser per link.
 */
import { currentZoneName, isKnownZone } from '#shared/time-zones.ts';

export {
  allZones,
  cityOf,
  currentZoneName,
  describeZone,
  isKnownZone,
  searchZones,
  zoneLabel,
  type ZoneChoice,
} from '#shared/time-zones.ts';

/** Where a link's chosen zone is remembered: one key per link, named by a hash, not by the token itself. */
export function zoneStorageKey(token: string): string {
  // FNV-1a: a short stable name for the key; the token stays out of storage keys listed by devtools.
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193) >>> 0;
  return `slotcast:portal-zone:${hash.toString(36)}`;
}

/** The zone remembered for this link, else the browser's own, under its current name. */
export function initialZone(token: string, browserZone: string): string {
  try {
    const saved = localStorage.getItem(zoneStorageKey(token));
    if (saved && isKnownZone(saved)) return currentZoneName(saved);
  } catch {
    // Storage can be switched off; the browser's zone will do.
  }
  return currentZoneName(browserZone);
}

export function rememberZone(token: string, zone: string): void {
  try {
    localStorage.setItem(zoneStorageKey(token), zone);
  } catch {
    // Not remembered, but still used for this visit.
  }
}
