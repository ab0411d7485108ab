import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import { z } from 'zod';
import { DomainError } from '../errors.ts';

/** The 400 a route raises for a field zod can't judge alone (a time in the teacher's zone, say): the same shape as validate()'s. */
export const fieldError = (path: string, message: string) =>
  new DomainError('invalid_request', 400, `${path}: ${message}`, { details: { issues: [{ path, message }] } });

/** zValidator with the API's error shape: 400 invalid_request with one message per field. */
export const validate = <Target extends keyof ValidationTargets, Schema extends z.ZodType>(
  target: Target,
  schema: Schema,
) =>
  zValidator(target, schema, (result) => {
    if (!result.success) {
      const issues = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
      const first = issues[0];
      const message = first ? (first.path ? `${first.path}: ${first.message}` : first.message) : 'Invalid request.';
      throw new DomainError('invalid_request', 400, message, { details: { issues } });
    }
  });

/** An email address as Slotcast stores it: trimmed, lower-cased, checked (DESIGN.md, data model). */
export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: 'Enter a valid email address.' }).max(254));
