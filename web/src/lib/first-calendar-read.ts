/**
 * The teacher's first calendar screen reads the coming weeks once (teacher/+page.ts) to pick the week to open.
 * That read already holds the week it opens, so it is kept here and handed to the page's live calendar for its
 * first load instead of asking again: one round trip less before the week shows. Taken at most once, and only
 * fresh; anything that changed since is brought by the live connection, which syncs from the read's version.
 */
import type { CalendarSnapshot } from '#shared/live-protocol.ts';

const FRESH_MS = 10_000;

let kept: { from: number; to: number; snapshot: CalendarSnapshot; at: number } | null = null;

export function keepFirstRead(from: number, to: number, snapshot: CalendarSnapshot): void {
  kept = { from, to, snapshot, at: Date.now() };
}

/** The kept read's slots overlapping [from, to) (as the API answers), when it covers that range and is fresh; then it is gone. */
export function takeFirstRead(from: number, to: number): CalendarSnapshot | null {
  const read = kept;
  kept = null;
  if (!read || Date.now() - read.at > FRESH_MS || from < read.from || to > read.to) return null;
  return { ...read.snapshot, slots: read.snapshot.slots.filter((s) => s.startsAt < to && s.endsAt > from) };
}
