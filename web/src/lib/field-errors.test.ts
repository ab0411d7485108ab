import { describe, expect, it } from 'vitest';
import { fieldAria, fieldMessage } from './field-errors.ts';

describe('field errors', () => {
  it('marks a refused field and points at its message and hint', () => {
    const errors = { start: 'This time has already passed.' };
    expect(fieldAria(errors, 'slot-time', ['start', 'startTime'], 'slot-time-hint')).toEqual({
      'aria-invalid': true,
      'aria-describedby': 'slot-time-hint slot-time-error',
    });
    expect(fieldMessage(errors, ['startTime', 'start'])).toBe('This time has already passed.');
  });

  it('leaves a valid field unmarked, described by its hint alone', () => {
    expect(fieldAria({}, 'slot-subject', 'subject')).toEqual({
      'aria-invalid': undefined,
      'aria-describedby': undefined,
    });
    expect(fieldAria({}, 'slot-subject', 'subject', 'h')['aria-describedby']).toBe('h');
  });
});
