import { describe, expect, it } from 'vitest';
import { multiLineText, singleLineText } from './text.ts';

const name = singleLineText({ max: 80, noun: 'Names' }).min(1, 'Enter a name.');
const notes = multiLineText({ max: 2000, noun: 'Notes' });

const refusal = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.success ? null : result.error!.issues.map((i) => i.message);

describe('one-line text (names, subjects, ids)', () => {
  it('keeps ordinary names from every script, trimmed and in NFC', () => {
    expect(name.parse('  Zoë Ødegaard  ')).toBe('Zoë Ødegaard');
    expect(name.parse('Zoe\u0308')).toBe('Zoë');
    expect(name.parse('محمد \u200fعلي')).toBe('محمد \u200fعلي');
    expect(name.parse('李小龍 🙂')).toBe('李小龍 🙂');
  });

  it.each([
    ['CR LF', 'Ann\r\nBcc: victim@example.test'],
    ['LF', 'Ann\nReply-To: x@example.test'],
    ['bare CR', 'Ann\rB'],
    ['NUL', 'Ann\u0000B'],
    ['TAB', 'Ann\tB'],
    ['ESC', 'Ann\u001b[31mB'],
    ['DEL', 'Ann\u007fB'],
    ['C1 NEL', 'Ann\u0085B'],
    ['line separator', 'Ann\u2028B'],
    ['paragraph separator', 'Ann\u2029B'],
    ['right-to-left override', 'Ann\u202egpj.exe'],
    ['bidi isolate', 'Ann\u2066B'],
    ['lone surrogate', 'Ann\ud800B'],
  ])('refuses %s with a message for a person', (_label, value) => {
    expect(refusal(name.safeParse(value))).toEqual(["Names can't contain line breaks or control characters."]);
  });

  it('still says what is missing or too long', () => {
    expect(refusal(name.safeParse('   '))).toEqual(['Enter a name.']);
    expect(refusal(name.safeParse('x'.repeat(81)))).toEqual(['Keep it under 80 characters.']);
  });
});

describe('notes over several lines', () => {
  it('keeps line breaks and tabs, with CRLF and CR made LF', () => {
    expect(notes.parse('Mondays:\r\n\tafter 4\rnot Fridays\n')).toBe('Mondays:\n\tafter 4\nnot Fridays');
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['ESC', 'a\u001bb'],
    ['vertical tab', 'a\u000bb'],
    ['line separator', 'a\u2028b'],
    ['right-to-left override', 'a\u202eb'],
  ])('refuses %s', (_label, value) => {
    expect(refusal(notes.safeParse(value))).toEqual(["Notes can't contain control characters."]);
  });
});
