/**
 * The arithmetic of the teacher's time grid: which hours it shows, where a slot sits on a day's column, which
 * time a point on an empty column means, and which week to open first. Wall-clock minutes in the teacher's
 * zone (not milliseconds from midnight), so a slot on a daylight-saving day sits at the hour its label says.
 */
import { dateIn, minutesIn, mondayOf, type IsoDate } from '#shared/dates.ts';

/** The hours shown when the week has nothing earlier or later: a working day. */
export const DEFAULT_HOURS = { first: 8, last: 20 } as const;
/** Clicks and drags land on quarter hours. */
export const SNAP_MINUTES = 15;

/** Minutes since local midnight of an instant, in the zone. */
export const wallMinutes = minutesIn;

/**
 * The hours the grid shows: the working day, widened to whole hours around every slot of the week. A slot that
 * runs past midnight ends the grid at 24.
 */
export function hourRange(
  slots: { startsAt: number; endsAt: number }[],
  timeZone: string,
): { first: number; last: number } {
  let first: number = DEFAULT_HOURS.first;
  let last: number = DEFAULT_HOURS.last;
  for (const slot of slots) {
    const start = wallMinutes(slot.startsAt, timeZone);
    const length = Math.round((slot.endsAt - slot.startsAt) / 60_000);
    first = Math.min(first, Math.floor(start / 60));
    last = Math.max(last, Math.min(24, Math.ceil((start + length) / 60)));
  }
  return { first, last };
}

/** Where a slot sits in its day's column, in minutes from the grid's first hour (clipped at the grid's end). */
export function slotBox(
  slot: { startsAt: number; endsAt: number },
  timeZone: string,
  firstHour: number,
  lastHour: number,
) {
  const start = wallMinutes(slot.startsAt, timeZone) - firstHour * 60;
  const length = Math.round((slot.endsAt - slot.startsAt) / 60_000);
  return { top: start, height: Math.min(length, lastHour * 60 - firstHour * 60 - start) };
}

/** The quarter hour a point on a column means: `fraction` is 0 at the grid's first hour, 1 at its last. */
export function snapToQuarter(fraction: number, firstHour: number, lastHour: number): number {
  const minutes = firstHour * 60 + fraction * (lastHour - firstHour) * 60;
  const snapped = Math.floor(minutes / SNAP_MINUTES) * SNAP_MINUTES;
  return Math.max(firstHour * 60, Math.min(lastHour * 60 - SNAP_MINUTES, snapped));
}

export { clockTime } from '#shared/dates.ts';

/**
 * The Monday of the week to open first: the week of the next slot that hasn't ended yet, or this week when
 * there is none (a new teacher starts on today's week, where "New slot" is most likely wanted).
 */
export function weekToOpen(slots: { startsAt: number; endsAt: number }[], now: number, timeZone: string): IsoDate {
  const next = slots.filter((s) => s.endsAt > now).sort((a, b) => a.startsAt - b.startsAt)[0];
  return mondayOf(dateIn(next ? Math.max(next.startsAt, now) : now, timeZone));
}
