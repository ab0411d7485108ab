import { describe, expect, it } from 'vitest';
import { findConflicts } from './overlap.ts';

const h = (hour: number) => hour * 60 * 60_000;
const slot = (start: number, end: number) => ({ startsAt: h(start), endsAt: h(end) });

describe('finding overlapping slots', () => {
  it('allows back-to-back slots without a buffer', () => {
    expect(findConflicts([slot(10, 11)], [slot(9, 10), slot(11, 12)])).toEqual([]);
  });
  it('refuses a slot that overlaps an existing one', () => {
    expect(findConflicts([slot(10, 11)], [slot(10.5, 11.5)])).toEqual([slot(10, 11)]);
  });
  it('counts the buffer between slots', () => {
    expect(findConflicts([slot(10, 11)], [slot(11, 12)], 15)).toEqual([slot(10, 11)]);
    expect(findConflicts([slot(10, 11)], [slot(11.25, 12)], 15)).toEqual([]);
  });
  it('finds new slots that overlap each other', () => {
    expect(findConflicts([slot(9, 10), slot(9.5, 10.5), slot(12, 13)], [])).toEqual([slot(9, 10), slot(9.5, 10.5)]);
  });
});
