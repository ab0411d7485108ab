import { describe, expect, it } from 'vitest';
import { keepFirstRead, takeFirstRead } from './first-calendar-read.ts';

const slot = (id: string, startsAt: number, endsAt: number) =>
  ({ id, startsAt, endsAt }) as unknown as Parameters<typeof keepFirstRead>[2]['slots'][number];

describe('the first calendar read', () => {
  it('answers a week inside it once, with the slots that overlap the week', () => {
    keepFirstRead(0, 1000, {
      version: 7,
      slots: [slot('before', 50, 100), slot('in', 150, 250), slot('after', 400, 500)],
    });
    const week = takeFirstRead(100, 300);
    expect(week?.version).toBe(7);
    expect(week?.slots.map((s) => s.id)).toEqual(['in']);
    expect(takeFirstRead(100, 300)).toBeNull();
  });

  it('does not answer a range it does not cover', () => {
    keepFirstRead(100, 1000, { version: 1, slots: [] });
    expect(takeFirstRead(50, 300)).toBeNull();
  });
});
