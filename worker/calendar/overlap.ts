import type { Interval } from './recurrence.ts';

/**
 * New intervals that collide with existing ones or with each other, counting the teacher's buffer as part of
 * every slot. Returns each conflicting new interval once.
 */
export function findConflicts(candidates: Interval[], existing: Interval[], bufferMinutes = 0): Interval[] {
  const buffer = bufferMinutes * 60_000;
  const overlaps = (a: Interval, b: Interval) => a.startsAt < b.endsAt + buffer && b.startsAt < a.endsAt + buffer;
  const sorted = [...candidates].sort((a, b) => a.startsAt - b.startsAt);
  const conflicts = new Set<Interval>();
  for (let i = 0; i < sorted.length; i++) {
    const current = sorted[i]!;
    const next = sorted[i + 1];
    if (next && overlaps(current, next)) {
      conflicts.add(current);
      conflicts.add(next);
    }
    if (existing.some((other) => overlaps(current, other))) conflicts.add(current);
  }
  return sorted.filter((c) => conflicts.has(c));
}
