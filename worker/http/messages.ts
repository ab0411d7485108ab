/**
 * What a person reads when a field is refused. Schemas that know their field better give their own message
 * ("Enter a valid email address."); every other refusal gets one of these instead of the validation library's
 * default ("Too big: expected string to have <=80 characters"), which is written for developers and would reach
 * the page as it is. Installed once per isolate as zod's global error map (`validate.ts` imports this module);
 * a schema's own message still wins over it.
 */
import { z } from 'zod';
import type { $ZodRawIssue } from 'zod/v4/core';

type RawIssue = $ZodRawIssue;

const plural = (n: number | bigint, one: string, many: string) => `${n} ${Number(n) === 1 ? one : many}`;

const KIND: Record<string, string> = {
  string: 'Enter text here.',
  number: 'Enter a number.',
  int: 'Enter a whole number.',
  boolean: 'Choose yes or no.',
  array: 'Give a list here.',
  object: 'Send the details as a JSON object.',
  date: 'Enter a date.',
};

const FORMAT: Record<string, string> = {
  email: 'Enter a valid email address.',
  url: 'Enter a full web address, starting with https://.',
  uuid: 'This id is not valid.',
  datetime: 'Enter a valid date and time.',
  date: 'Enter a valid date.',
  time: 'Enter a valid time.',
};

function tooBig(issue: Extract<RawIssue, { code: 'too_big' }>): string {
  const max = issue.maximum;
  switch (issue.origin) {
    case 'string':
      return `Use at most ${plural(max, 'character', 'characters')}.`;
    case 'array':
    case 'set':
      return `Give at most ${plural(max, 'item', 'items')}.`;
    case 'date':
      return 'This date is too late.';
    default:
      return issue.inclusive === false ? `Enter a number below ${max}.` : `Enter a number no larger than ${max}.`;
  }
}

function tooSmall(issue: Extract<RawIssue, { code: 'too_small' }>): string {
  const min = issue.minimum;
  switch (issue.origin) {
    case 'string':
      return Number(min) <= 1 ? 'This cannot be empty.' : `Use at least ${plural(min, 'character', 'characters')}.`;
    case 'array':
    case 'set':
      return Number(min) <= 1 ? 'Choose at least one.' : `Give at least ${plural(min, 'item', 'items')}.`;
    case 'date':
      return 'This date is too early.';
    default:
      return issue.inclusive === false ? `Enter a number above ${min}.` : `Enter a number of at least ${min}.`;
  }
}

/** The person-written message for a refused value, by the kind of refusal. */
export function messageFor(issue: RawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'This is required.';
      return KIND[issue.expected] ?? 'This value is not the right kind.';
    case 'too_big':
      return tooBig(issue);
    case 'too_small':
      return tooSmall(issue);
    case 'invalid_format':
      return FORMAT[issue.format] ?? 'This is not in the expected format.';
    case 'not_multiple_of':
      return `Enter a multiple of ${issue.divisor}.`;
    case 'unrecognized_keys':
      // The keys are the caller's own text: not repeated back.
      return 'This request has fields Slotcast does not know. Remove them and try again.';
    case 'invalid_value': {
      const options = issue.values.filter((v) => typeof v === 'string' || typeof v === 'number');
      return options.length > 0 && options.length <= 6
        ? `Choose one of: ${options.join(', ')}.`
        : 'Choose one of the offered options.';
    }
    case 'invalid_union':
      return 'This value is not one Slotcast accepts.';
    case 'invalid_key':
    case 'invalid_element':
      return 'Some entries here are not valid.';
    default:
      return 'This value is not valid.';
  }
}

z.config({ customError: messageFor });
