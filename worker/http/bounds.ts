/**
 * Bounds for the numbers and cursors that arrive as text (query strings, page links). Unbounded, a 400-digit
 * number becomes Infinity or loses its digits on the way to the database, which refuses it with an error the
 * caller sees as a 500; bounded here, it is a 400 that says what is wrong.
 */
import { z } from 'zod';

/** The last instant a JavaScript Date can hold (±8.64e15 ms), so every accepted time is also a valid date. */
export const MAX_EPOCH_MS = 8_640_000_000_000_000;

/** An instant in a query string, as epoch milliseconds. */
export const epochMsQuery = z.coerce
  .number({ message: 'Give a time as milliseconds since 1970.' })
  .int('Give a time as whole milliseconds since 1970.')
  .min(0, 'Give a time after 1970.')
  .max(MAX_EPOCH_MS, 'This time is too far in the future.');

/** A page link from a list answer: `<startsAt>:<id>`, the last row of the page before. */
export const pageCursorSchema = z
  .string()
  .max(80, 'This page link is not valid.')
  .regex(/^\d{1,16}:[0-9a-f-]{36}$/, 'This page link is not valid.')
  .refine((cursor) => Number(cursor.split(':')[0]) <= MAX_EPOCH_MS, 'This page link is not valid.');
