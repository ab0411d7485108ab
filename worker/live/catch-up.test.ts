import { describe, expect, it } from 'vitest';
import { CatchUpAnswers, type StoredEvent } from './catch-up.ts';
import type { CalendarEvent } from '../../shared/live-protocol.ts';

const bookedBy = (version: number, studentId: string, studentName: string): StoredEvent => ({
  version,
  body: JSON.stringify({
    version,
    kind: 'slots.upserted',
    at: 0,
    slots: [
      {
        id: `s${version}`,
        startsAt: 0,
        endsAt: 1,
        subject: 'Maths',
        status: 'booked',
        seriesId: null,
        booking: { id: `b${version}`, studentId, studentName, studentColor: '#f00' },
      },
    ],
  } satisfies CalendarEvent),
});

function answersOver(stored: StoredEvent[]) {
  const reads: number[] = [];
  const answers = new CatchUpAnswers((since) => {
    reads.push(since);
    return stored.filter((e) => e.version > since);
  });
  return { answers, reads };
}

const teacher = { kind: 'teacher', teacherId: 't' } as const;
const alice = { kind: 'student', studentId: 'alice', linkId: 'l1' } as const;
const bob = { kind: 'student', studentId: 'bob', linkId: 'l2' } as const;

describe('catch-up answers', () => {
  it('reads the events once for every watcher coming back from the same version', () => {
    const { answers, reads } = answersOver([bookedBy(5, 'alice', 'Alice A'), bookedBy(6, 'alice', 'Alice A')]);
    for (let i = 0; i < 100; i++) answers.answer(4, 6, i % 2 ? bob : teacher);
    expect(reads).toEqual([4]);
    expect(JSON.parse(answers.answer(4, 6, teacher)).events.map((e: CalendarEvent) => e.version)).toEqual([5, 6]);
  });

  it('shows each audience only what it may see', () => {
    const { answers } = answersOver([bookedBy(5, 'alice', 'Alice A')]);
    expect(answers.answer(4, 5, teacher)).toContain('Alice A');
    expect(JSON.parse(answers.answer(4, 5, alice)).events[0].slots[0]).toMatchObject({ mine: true });
    const forBob = answers.answer(4, 5, bob);
    expect(JSON.parse(forBob).events[0].slots[0]).toMatchObject({ status: 'booked', mine: false });
    for (const secret of ['Alice', 'alice', 'b5', '#f00']) expect(forBob).not.toContain(secret);
  });

  it('asks for the snapshot when the run of events is broken, and answers nothing new when up to date', () => {
    const { answers } = answersOver([bookedBy(6, 'alice', 'Alice A')]);
    expect(JSON.parse(answers.answer(4, 6, teacher))).toEqual({ type: 'resync', version: 6 });
    expect(JSON.parse(answers.answer(6, 6, teacher))).toEqual({ type: 'events', events: [], version: 6 });
  });

  it('works an answer out again once an event was stored or the version moved', () => {
    const stored = [bookedBy(6, 'alice', 'Alice A')];
    const { answers, reads } = answersOver(stored);
    expect(JSON.parse(answers.answer(4, 6, teacher)).type).toBe('resync');
    // The missing event arrives late (publishes out of order): the same question now has a replay.
    stored.unshift(bookedBy(5, 'bob', 'Bob B'));
    answers.forget();
    expect(JSON.parse(answers.answer(4, 6, teacher)).events).toHaveLength(2);
    stored.push(bookedBy(7, 'bob', 'Bob B'));
    expect(JSON.parse(answers.answer(4, 7, teacher)).events).toHaveLength(3);
    expect(reads).toEqual([4, 4, 4]);
  });
});
