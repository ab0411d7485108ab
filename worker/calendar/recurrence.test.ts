import { describe, expect, it } from 'vitest';
import { Temporal } from 'temporal-polyfill';
import { expandWeeklyRule, parseSlotStart } from './recurrence.ts';

const wall = (epochMs: number, timeZone: string) =>
  Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(timeZone);
const iso = (epochMs: number) => new Date(epochMs).toISOString();

describe('weekly recurring slots across daylight-saving changes', () => {
  it('keeps a 09:00 New York slot at 09:00 local when clocks spring forward (14 March 2027)', () => {
    const slots = expandWeeklyRule({
      days: [1, 7],
      startTime: '09:00',
      lengthMinutes: 60,
      from: '2027-03-07',
      until: '2027-03-15',
      timeZone: 'America/New_York',
    });
    expect(slots.map((s) => iso(s.startsAt))).toEqual([
      '2027-03-07T14:00:00.000Z', // Sunday, EST (UTC-5)
      '2027-03-08T14:00:00.000Z', // Monday, EST
      '2027-03-14T13:00:00.000Z', // Sunday, the change day: EDT (UTC-4)
      '2027-03-15T13:00:00.000Z', // Monday, EDT
    ]);
    for (const s of slots) {
      expect(wall(s.startsAt, 'America/New_York').toPlainTime().toString()).toBe('09:00:00');
      expect(s.endsAt - s.startsAt).toBe(60 * 60_000);
    }
  });

  it('keeps a 09:00 New York slot at 09:00 local when clocks fall back (7 November 2027)', () => {
    const slots = expandWeeklyRule({
      days: [6, 7],
      startTime: '09:00',
      lengthMinutes: 45,
      from: '2027-11-06',
      until: '2027-11-07',
      timeZone: 'America/New_York',
    });
    expect(slots.map((s) => iso(s.startsAt))).toEqual(['2027-11-06T13:00:00.000Z', '2027-11-07T14:00:00.000Z']);
  });

  it('keeps a 18:30 Berlin slot at 18:30 local across the spring change (28 March 2027)', () => {
    const slots = expandWeeklyRule({
      days: [6, 7, 1],
      startTime: '18:30',
      lengthMinutes: 90,
      from: '2027-03-27',
      until: '2027-03-29',
      timeZone: 'Europe/Berlin',
    });
    expect(slots.map((s) => iso(s.startsAt))).toEqual([
      '2027-03-27T17:30:00.000Z',
      '2027-03-28T16:30:00.000Z',
      '2027-03-29T16:30:00.000Z',
    ]);
    for (const s of slots) expect(wall(s.startsAt, 'Europe/Berlin').toPlainTime().toString()).toBe('18:30:00');
  });

  it('keeps a 08:00 Berlin slot at 08:00 local across the autumn change (31 October 2027)', () => {
    const slots = expandWeeklyRule({
      days: [6, 7],
      startTime: '08:00',
      lengthMinutes: 60,
      from: '2027-10-30',
      until: '2027-10-31',
      timeZone: 'Europe/Berlin',
    });
    expect(slots.map((s) => iso(s.startsAt))).toEqual(['2027-10-30T06:00:00.000Z', '2027-10-31T07:00:00.000Z']);
  });

  it('moves a slot inside the skipped spring hour forward by the gap (02:30 becomes 03:30 in Berlin)', () => {
    const [slot] = expandWeeklyRule({
      days: [7],
      startTime: '02:30',
      lengthMinutes: 30,
      from: '2027-03-28',
      until: '2027-03-28',
      timeZone: 'Europe/Berlin',
    });
    expect(wall(slot!.startsAt, 'Europe/Berlin').toPlainTime().toString()).toBe('03:30:00');
  });

  it('takes the first of the two 01:30s on the autumn night in New York, and counts real minutes', () => {
    const [slot] = expandWeeklyRule({
      days: [7],
      startTime: '01:30',
      lengthMinutes: 60,
      from: '2027-11-07',
      until: '2027-11-07',
      timeZone: 'America/New_York',
    });
    expect(iso(slot!.startsAt)).toBe('2027-11-07T05:30:00.000Z'); // 01:30 EDT
    expect(wall(slot!.endsAt, 'America/New_York').toString()).toContain('01:30:00-05:00'); // one real hour later: 01:30 EST
  });

  it('only produces the chosen days, inclusive of both ends of the range', () => {
    const slots = expandWeeklyRule({
      days: [3],
      startTime: '10:00',
      lengthMinutes: 60,
      from: '2027-01-06',
      until: '2027-01-27',
      timeZone: 'UTC',
    });
    expect(slots).toHaveLength(4);
  });
});

describe('reading a slot start', () => {
  it('reads a wall time without offset in the teacher zone', () => {
    expect(iso(parseSlotStart('2027-07-01T09:00', 'Europe/Berlin')!)).toBe('2027-07-01T07:00:00.000Z');
  });
  it('takes an instant with Z or an offset as is', () => {
    expect(iso(parseSlotStart('2027-07-01T09:00:00Z', 'Europe/Berlin')!)).toBe('2027-07-01T09:00:00.000Z');
    expect(iso(parseSlotStart('2027-07-01T09:00:00-04:00', 'Europe/Berlin')!)).toBe('2027-07-01T13:00:00.000Z');
  });
  it('returns null for nonsense', () => {
    expect(parseSlotStart('next tuesday', 'UTC')).toBeNull();
    expect(parseSlotStart('2027-02-30T09:00', 'UTC')).toBeNull();
  });
});
