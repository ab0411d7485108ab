import { z } from 'zod';

/** True for IANA zone names the runtime knows (e.g. "Europe/Berlin"). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return name.length <= 64;
  } catch {
    return false;
  }
}

export const timeZoneSchema = z
  .string()
  .refine(isTimeZone, { message: 'Unknown time zone; use an IANA name such as Europe/Berlin.' });
