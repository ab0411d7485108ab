/**
 * The API's text fields: every name, subject, id and note a request carries goes through one of these, so no
 * field can smuggle a line break into an email header, a calendar file or a log line (emails/text-rules.ts has
 * the characters and why). Values are trimmed and put in Unicode NFC, so the same name typed on two devices is
 * stored the same.
 */
import { z } from 'zod';
import { normaliseLineEnds, UNSAFE_IN_LINE, UNSAFE_IN_NOTES } from '../../emails/text-rules.ts';

interface TextOptions {
  max: number;
  /** Plural noun for the message, e.g. "Names" → "Names can't contain line breaks or control characters." */
  noun?: string;
  /** Message when longer than max. */
  tooLong?: string;
}

/** One line of text: a name, a subject, an external id. Refuses line breaks, tabs and every control character. */
export const singleLineText = ({ max, noun = 'This field', tooLong }: TextOptions) =>
  z
    .string()
    .trim()
    .normalize('NFC')
    .max(max, tooLong ?? `Keep it under ${max} characters.`)
    .refine((value) => !UNSAFE_IN_LINE.test(value), `${noun} can't contain line breaks or control characters.`);

/** Free text over several lines (notes): line breaks allowed (CRLF and CR become LF), other controls refused. */
export const multiLineText = ({ max, noun = 'This field', tooLong }: TextOptions) =>
  z
    .string()
    .transform(normaliseLineEnds)
    .pipe(
      z
        .string()
        .trim()
        .normalize('NFC')
        .max(max, tooLong ?? `Keep it under ${max} characters.`)
        .refine((value) => !UNSAFE_IN_NOTES.test(value), `${noun} can't contain control characters.`),
    );
