/** Weekly availability ranges: one or more per day, "HH:MM" wall times in the student's zone. */
export interface WeeklyRange {
  /** ISO day: 1 = Monday … 7 = Sunday. */
  day: number;
  start: string;
  end: string;
}

/** Pairs of ranges on the same day that overlap (touching ends are fine). */
export function findOverlappingRanges(ranges: WeeklyRange[]): [WeeklyRange, WeeklyRange][] {
  const sorted = [...ranges].sort((a, b) => a.day - b.day || a.start.localeCompare(b.start));
  const pairs: [WeeklyRange, WeeklyRange][] = [];
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const current = sorted[i]!;
    if (previous.day === current.day && current.start < previous.end) pairs.push([previous, current]);
  }
  return pairs;
}
