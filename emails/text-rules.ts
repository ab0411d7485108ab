/**
 * Which characters people's text may hold: one rule for the API's input schemas (worker/http/text.ts) and for
 * the email layer, which must stay safe even when a value reached the database some other way.
 *
 * Never in any text: C0 controls (NUL, ESC, CR, TAB, …), DEL, C1 controls, the Unicode line and paragraph
 * separators (line breaks to some mail and calendar software), the bidi embeddings, overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069: they make a name display as something else) and lone surrogates (not text
 * at all; they turn into U+FFFD, or worse, in every encoder). Free-text notes may also hold LF and TAB.
 * The marks LRM/RLM stay allowed: right-to-left names legitimately need them.
 */

const NEVER = String.raw`\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069`;
const LINE_BREAK_AND_TAB = String.raw`\u0009\u000A`;

/** Anything a one-line value (a name, a subject, an id) must not contain. */
export const UNSAFE_IN_LINE = new RegExp(`[${NEVER}${LINE_BREAK_AND_TAB}]|\\p{Cs}`, 'u');
/** Anything free-text notes must not contain, once their line ends are LF. */
export const UNSAFE_IN_NOTES = new RegExp(`[${NEVER}]|\\p{Cs}`, 'u');

/** Runs of what notes can't hold (LF and TAB can), to remove from text that may hold anything. */
export const UNSAFE_RUNS_IN_NOTES = new RegExp(`(?:[${NEVER}]|\\p{Cs})+`, 'gu');
const UNSAFE_RUNS_IN_LINE = new RegExp(`(?:[${NEVER}${LINE_BREAK_AND_TAB}]|\\p{Cs})+`, 'gu');

/** CRLF and bare CR become LF, as browsers send textarea content either way. */
export const normaliseLineEnds = (value: string): string => value.replace(/\r\n?/g, '\n');

/**
 * The value as one inert line: every run of unsafe characters becomes one space. For text that may not have
 * passed the API's schemas (older rows, other writers) before it goes into an email header, a subject line or
 * a calendar file.
 */
export const toOneLine = (value: string): string => value.replace(UNSAFE_RUNS_IN_LINE, ' ').trim();
