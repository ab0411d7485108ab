/** What a form control spreads on itself to be marked invalid and described by its hint and message. */
export type FieldAria = { 'aria-invalid': true | undefined; 'aria-describedby': string | undefined };

/**
 * A form field's accessibility while the API refuses it: marked invalid, and described by its message (shown
 * beside it with the id `<field id>-error`) and by its hint when it has one. Spread onto the input:
 * `<input id="slot-subject" {...fieldAria(errors, 'slot-subject', 'subject')} />`.
 */
export function fieldAria(
  errors: Record<string, string>,
  id: string,
  keys: string | string[],
  hintId?: string,
): FieldAria {
  const message = fieldMessage(errors, keys);
  const describedBy = [hintId, message ? `${id}-error` : undefined].filter(Boolean).join(' ');
  return { 'aria-invalid': message ? true : undefined, 'aria-describedby': describedBy || undefined };
}

/** The first message among the field's keys (a date field answers for `start` and `from`, say). */
export function fieldMessage(errors: Record<string, string>, keys: string | string[]): string | undefined {
  for (const key of Array.isArray(keys) ? keys : [keys]) if (errors[key]) return errors[key];
  return undefined;
}
