import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import { z } from 'zod';
import { DomainError } from '../errors.ts';
// Person-written messages for every refusal a schema doesn't word itself (installed on import).
import './messages.ts';

/**
 * The 400 a route raises for a field zod can't judge alone (a time in the teacher's zone, say): the same shape
 * as validate()'s. The message is the field's own sentence, for a person; `details.issues` says which field it
 * belongs to, so a form shows it once, beside that field.
 */
export const fieldError = (path: string, message: string) =>
  new DomainError('invalid_request', 400, message, { details: { issues: [{ path, message }] } });

/** zValidator with the API's error shape: 400 invalid_request, `details.issues` with one message per field. */
export const validate = <Target extends keyof ValidationTargets, Schema extends z.ZodType>(
  target: Target,
  schema: Schema,
) =>
  zValidator(target, schema, (result) => {
    if (!result.success) {
      // One message per field, the first: a value can break several rules at once, and a form shows one line.
      const issues: { path: string; message: string }[] = [];
      for (const issue of result.error.issues) {
        const path = issue.path.join('.');
        if (!issues.some((seen) => seen.path === path)) issues.push({ path, message: issue.message });
      }
      // The first field's sentence, for a client that shows one message; forms show each beside its field.
      const message = issues[0]?.message ?? 'Check what you entered and try again.';
      throw new DomainError('invalid_request', 400, message, { details: { issues } });
    }
  });

/** An email address as Slotcast stores it: trimmed, lower-cased, checked (DESIGN.md, data model). */
export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: 'Enter a valid email address.' }).max(254));
