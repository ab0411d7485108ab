import { describe, expect, it } from 'vitest';
import { shownStatus } from './booking-status.ts';

const HOUR = 3_600_000;
const ended = { status: 'scheduled' as const, endsAt: 1_000 * HOUR };

describe('shownStatus', () => {
  it('shows an unmarked past session as awaiting an outcome to the teacher and as past to the student', () => {
    expect(shownStatus(ended, null, ended.endsAt + HOUR, 'teacher')).toBe('awaiting_outcome');
    expect(shownStatus(ended, null, ended.endsAt + HOUR, 'student')).toBe('past');
  });

  it('never calls an unmarked session completed when the teacher keeps them open', () => {
    expect(shownStatus(ended, null, ended.endsAt + 10_000 * HOUR, 'student')).toBe('past');
  });

  it('completes an unmarked session exactly the chosen number of days after it ended', () => {
    expect(shownStatus(ended, 2, ended.endsAt + 48 * HOUR - 1, 'teacher')).toBe('awaiting_outcome');
    expect(shownStatus(ended, 2, ended.endsAt + 48 * HOUR, 'teacher')).toBe('completed');
    expect(shownStatus(ended, 2, ended.endsAt + 48 * HOUR, 'student')).toBe('completed');
  });

  it('keeps a recorded or upcoming status as it is', () => {
    expect(shownStatus({ ...ended, status: 'no_show' }, 1, ended.endsAt + 100 * HOUR, 'teacher')).toBe('no_show');
    expect(shownStatus(ended, null, ended.endsAt - HOUR, 'student')).toBe('scheduled');
  });
});
