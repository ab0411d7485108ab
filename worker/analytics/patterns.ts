/**
 * Pure arithmetic of the booking-patterns summary over rows already read: weekday × hour grids in the teacher's
 * zone, lead-time statistics, day-by-day trend. Kept apart from the reads so the definitions sit in one place.
 */
import { Temporal } from 'temporal-polyfill';
import type { Period } from './period.ts';

const HOUR_MS = 60 * 60 * 1000;

/** grid[weekday - 1][hour]: Monday = row 0; the hour is the wall-clock hour in `timeZone` (DST-aware). */
export type WeekHourGrid = number[][];

export function weekHourGrid(instants: number[], timeZone: string): WeekHourGrid {
  const grid = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
  for (const at of instants) {
    const local = Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(timeZone);
    grid[local.dayOfWeek - 1]![local.hour]! += 1;
  }
  return grid;
}

/** Lead time buckets, in hours from booking to session start: [from, to). */
export const LEAD_TIME_BUCKETS = [
  { label: 'Under 1 day', fromHours: 0, toHours: 24 },
  { label: '1–3 days', fromHours: 24, toHours: 72 },
  { label: '3–7 days', fromHours: 72, toHours: 168 },
  { label: '1–2 weeks', fromHours: 168, toHours: 336 },
  { label: '2–4 weeks', fromHours: 336, toHours: 672 },
  { label: '4 weeks or more', fromHours: 672, toHours: null },
] as const;

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Median (the mean of the middle two for an even count) and 90th percentile (nearest rank), in hours. */
export function leadTimes(leadMs: number[]) {
  const hours = leadMs.map((ms) => ms / HOUR_MS).sort((a, b) => a - b);
  const n = hours.length;
  const median = n === 0 ? null : n % 2 ? hours[(n - 1) / 2]! : (hours[n / 2 - 1]! + hours[n / 2]!) / 2;
  const p90 = n === 0 ? null : hours[Math.ceil(0.9 * n) - 1]!;
  return {
    count: n,
    medianHours: median === null ? null : round1(median),
    p90Hours: p90 === null ? null : round1(p90),
    histogram: LEAD_TIME_BUCKETS.map((b) => ({
      ...b,
      count: hours.filter((h) => h >= b.fromHours && (b.toHours === null || h < b.toHours)).length,
    })),
  };
}

/** One entry per day of the period (in the teacher's zone), counting each instant list on its local date. */
export function dailyTrend<K extends string>(period: Period, series: Record<K, number[]>) {
  const keys = Object.keys(series) as K[];
  const days = new Map<string, Record<K, number>>();
  let day = Temporal.PlainDate.from(period.from);
  for (let i = 0; i < period.days; i++, day = day.add({ days: 1 })) {
    days.set(day.toString(), Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>);
  }
  for (const key of keys) {
    for (const at of series[key]) {
      const date = Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(period.timeZone).toPlainDate();
      const entry = days.get(date.toString());
      if (entry) entry[key] += 1;
    }
  }
  return [...days].map(([date, counts]) => ({ date, ...counts }));
}

/** A figure with the previous period's and the change; percent is null when the previous period had none. */
export function withChange(value: number, previous: number) {
  return {
    value,
    previous,
    change: value - previous,
    changePercent: previous === 0 ? null : Math.round(((value - previous) / previous) * 100),
  };
}
