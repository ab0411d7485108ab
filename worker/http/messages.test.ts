import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import './messages.ts';

const messageOf = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('expected a refusal');
  return result.error.issues[0]!.message;
};

describe('messages for people', () => {
  it('replaces the library default for each kind of refusal', () => {
    expect(messageOf(z.string().max(80), 'x'.repeat(81))).toBe('Use at most 80 characters.');
    expect(messageOf(z.string().min(1), '')).toBe('This cannot be empty.');
    expect(messageOf(z.string().min(3), 'ab')).toBe('Use at least 3 characters.');
    expect(messageOf(z.number().int().max(1440), 2000)).toBe('Enter a number no larger than 1440.');
    expect(messageOf(z.number().min(0), -1)).toBe('Enter a number of at least 0.');
    expect(messageOf(z.array(z.string()).max(1), ['a', 'b'])).toBe('Give at most 1 item.');
    expect(messageOf(z.array(z.string()).min(1), [])).toBe('Choose at least one.');
    expect(messageOf(z.object({ name: z.string() }), {})).toBe('This is required.');
    expect(messageOf(z.string(), 5)).toBe('Enter text here.');
    expect(messageOf(z.email(), 'nope')).toBe('Enter a valid email address.');
    expect(messageOf(z.enum(['student', 'teacher']), 'x')).toBe('Choose one of: student, teacher.');
    expect(messageOf(z.strictObject({}), { extra: 1 })).toBe(
      'This request has fields Slotcast does not know. Remove them and try again.',
    );
  });

  it("keeps a schema's own message", () => {
    expect(messageOf(z.string().max(3, 'Keep the name short.'), 'long')).toBe('Keep the name short.');
  });
});
