/** The messages a live client may send; anything else is junk, and the object closes the socket that sent it. */
import { z } from 'zod';
import type { ClientMessage } from '../../shared/live-protocol.ts';

/** Longer than any message of the protocol by far; a bigger frame isn't parsed at all. */
const MAX_FRAME_CHARS = 1024;

const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ping') }),
  z.object({ type: z.literal('sync'), since: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }),
]);

/** The message a frame carries, or null when it is not one of the protocol's. */
export function parseClientMessage(raw: string | ArrayBuffer): ClientMessage | null {
  if (typeof raw !== 'string' || raw.length > MAX_FRAME_CHARS) return null;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = clientMessageSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}
