/**
 * Students' weekly availability ("Tue 17:00–19:30" in the student's zone) as concrete times in one week of
 * the teacher's zone, for the overlay on the teacher's week view.
 */
import {
  addDays,
  clockTime,
  dateIn,
  dayOfWeek,
  instantAt,
  minutesIn,
  minutesOf,
  startOfDay,
  weekDays,
  type IsoDate,
} from '#shared/dates.ts';
import type { WeeklyRange } from '#shared/weekly-range.ts';

/** Wall times in the teacher's zone; `end` is "24:00" when the time runs to the end of the day. */
export interface TimeRange {
  start: string;
  end: string;
}

/** One teacher-local day of the week: its ISO date and the free times on it, in order. */
export interface DayRanges {
  date: string;
  ranges: TimeRange[];
}

export const rangeText = (range: TimeRange) => `${range.start}–${range.end}`;

/**
 * The instant a student's wall time happens on a date (Temporal's `compatible` rule inside a DST change);
 * "24:00" is when the next day starts.
 */
const instantOf = (date: IsoDate, time: string, timeZone: string) =>
  time === '24:00' ? startOfDay(addDays(date, 1), timeZone) : instantAt(date, minutesOf(time), timeZone);

const localTime = (epochMs: number, timeZone: string) => clockTime(minutesIn(epochMs, timeZone));

/**
 * A student's weekly ranges, which repeat in `studentZone`, as the times they fall on in the week starting
 * `monday` in `teacherZone`: seven days, Monday first. A range may move to another day or be split at the
 * teacher's midnight; touching or overlapping pieces on one day are joined.
 */
export function availabilityInWeek(
  ranges: readonly WeeklyRange[],
  studentZone: string,
  monday: IsoDate,
  teacherZone: string,
): DayRanges[] {
  const days = weekDays(monday, teacherZone);
  const weekStart = days[0]!.start;
  const weekEnd = days[6]!.end;

  // Every student date that can touch the teacher's week: offsets differ by at most a day either way.
  const first = addDays(dateIn(weekStart, studentZone), -1);
  const last = addDays(dateIn(weekEnd, studentZone), 1);
  const intervals: [number, number][] = [];
  for (let date = first; date <= last; date = addDays(date, 1)) {
    const weekday = dayOfWeek(date);
    for (const range of ranges) {
      if (range.day !== weekday) continue;
      const start = instantOf(date, range.start, studentZone);
      const end = instantOf(date, range.end, studentZone);
      if (end > start && end > weekStart && start < weekEnd) intervals.push([start, end]);
    }
  }
  intervals.sort((a, b) => a[0] - b[0]);

  return days.map((day) => {
    const pieces: [number, number][] = [];
    for (const [start, end] of intervals) {
      const from = Math.max(start, day.start);
      const to = Math.min(end, day.end);
      if (from >= to) continue;
      const previous = pieces.at(-1);
      if (previous && from <= previous[1]) previous[1] = Math.max(previous[1], to);
      else pieces.push([from, to]);
    }
    return {
      date: day.date,
      ranges: pieces.map(([from, to]) => ({
        start: localTime(from, teacherZone),
        end: to === day.end ? '24:00' : localTime(to, teacherZone),
      })),
    };
  });
}

/** What the overlay needs of a student from the students list. */
export interface StudentAvailability {
  id: string;
  name: string;
  color: string;
  timeZone: string;
  weeklyRanges: readonly WeeklyRange[];
}

export interface StudentFreeTimes {
  id: string;
  name: string;
  color: string;
  ranges: TimeRange[];
}

/**
 * For each date of the teacher's week (ISO keys), the students free that day and when, in the students' order.
 * A student whose zone this browser doesn't know (older time zone data) is left out rather than breaking the week.
 */
export function overlayForWeek(
  students: readonly StudentAvailability[],
  monday: IsoDate,
  teacherZone: string,
): Map<string, StudentFreeTimes[]> {
  const byDate = new Map<string, StudentFreeTimes[]>(Array.from({ length: 7 }, (_, i) => [addDays(monday, i), []]));
  for (const student of students) {
    let days: DayRanges[];
    try {
      days = availabilityInWeek(student.weeklyRanges, student.timeZone, monday, teacherZone);
    } catch (error) {
      if (error instanceof RangeError) continue;
      throw error;
    }
    for (const { date, ranges } of days) {
      if (ranges.length > 0)
        byDate.get(date)!.push({ id: student.id, name: student.name, color: student.color, ranges });
    }
  }
  return byDate;
}
