/**
 * The live calendar protocol, shared by the TeacherCalendar object and the web client.
 * Pure: no runtime APIs, so the browser bundle and unit tests import it directly.
 */
import type { LiveTicket } from './live-connection.ts';

export type SlotStatus = 'open' | 'booked' | 'canceled';

/** A slot as one audience may see it. `booking` is present only for the teacher's own view. */
export interface SlotView {
  id: string;
  startsAt: number;
  endsAt: number;
  subject: string;
  status: SlotStatus;
  seriesId: string | null;
  /** Teacher audience only: who booked it. */
  booking?: { id: string; studentId: string | null; studentName: string; studentColor: string } | null;
  /** Student audience only: true when this student holds the booking. */
  mine?: boolean;
  /** Student audience, calendar reads only: open and inside the teacher's notice and horizon now. */
  bookable?: boolean;
}

/** One committed change to a teacher's calendar; `version` is teachers.calendar_version after it. */
export interface CalendarEvent {
  version: number;
  /** `upserted`: these slots now look like this. `removed`: these slots are gone (canceled). */
  kind: 'slots.upserted' | 'slots.removed';
  slots: SlotView[];
  at: number;
}

/**
 * `reconnectWindowMs` (hello, heartbeat): the first window over which this socket should spread its way back
 * after a drop (live-connection.ts `reconnectWindowFor`). A heartbeat also goes to every watcher when a
 * growing calendar's window widens.
 */
export type ServerMessage =
  /** `since`: echoed when the upgrade said which version the client holds; the catch-up follows at once. */
  | { type: 'hello'; version: number; reconnectWindowMs?: number; since?: number }
  | { type: 'event'; event: CalendarEvent }
  | { type: 'events'; events: CalendarEvent[]; version: number }
  | { type: 'heartbeat'; version: number; reconnectWindowMs?: number }
  /** The object cannot replay from the client's version: refetch the snapshot. */
  | { type: 'resync'; version: number }
  /** The connection's credential stopped being valid (link revoked, signed out). */
  | { type: 'closed'; reason: string }
  /** A fresh ticket for the next upgrade, sent after a heartbeat found the credential still good. */
  | { type: 'ticket'; ticket: LiveTicket };

export type ClientMessage = { type: 'sync'; since: number } | { type: 'ping' };

/**
 * Close codes of a live socket (4000–4999 is the application's range). The first three end the credential the
 * socket was opened with: reconnecting can't help, so the client stops and shows why. The last two are a client
 * breaking the protocol; a well-behaved client never sees them, and it reconnects with backoff if it does.
 */
export const LIVE_CLOSE = {
  /** The session ended: signed out, expired, or the account was disabled. Sign in again. */
  sessionEnded: 4401,
  /** The share link was revoked, or replaced by a new one. */
  linkRevoked: 4403,
  /** The share link expired. */
  linkExpired: 4410,
  /** A frame that isn't a message of this protocol. */
  badMessage: 4400,
  /** More messages than the object accepts from one socket. */
  tooManyMessages: 4429,
} as const;

/** Why a socket's credential ended, as the client acts on it. */
export type LiveEnding = 'session_ended' | 'link_revoked' | 'link_expired';

const ENDING_CODES: Record<LiveEnding, number> = {
  session_ended: LIVE_CLOSE.sessionEnded,
  link_revoked: LIVE_CLOSE.linkRevoked,
  link_expired: LIVE_CLOSE.linkExpired,
};

/** The close code for an ending. */
export const closeCodeFor = (ending: LiveEnding): number => ENDING_CODES[ending];

/** The ending a close code announces, or null for a close after which reconnecting is right. */
export const liveEnding = (closeCode: number): LiveEnding | null =>
  (Object.keys(ENDING_CODES) as LiveEnding[]).find((ending) => ENDING_CODES[ending] === closeCode) ?? null;

/** What a person reads when their credential ended (also the close frame's reason; under 123 bytes). */
export const ENDING_MESSAGES: Record<LiveEnding, string> = {
  session_ended: 'Your session has ended. Please sign in again.',
  link_revoked: 'This booking link is no longer valid. Ask your teacher for a new one.',
  link_expired: 'This booking link has expired. Ask your teacher for a new one.',
};

/** A calendar read: the slots of a time range at one version, the starting point live events apply to. */
export interface CalendarSnapshot {
  version: number;
  slots: SlotView[];
  /** For the live socket's next upgrade (shared/live-connection.ts). */
  ticket?: LiveTicket;
}

export interface CalendarState {
  version: number;
  slots: Map<string, SlotView>;
}

export type ApplyResult =
  | { state: CalendarState; outcome: 'applied' | 'stale' }
  /** The event is ahead of the state by more than one version: catch up before applying. */
  | { state: CalendarState; outcome: 'gap' };

/** Applies one event in version order. Old or duplicate events are ignored; a skipped version is a gap. */
export function applyEvent(state: CalendarState, event: CalendarEvent): ApplyResult {
  if (event.version <= state.version) return { state, outcome: 'stale' };
  if (event.version > state.version + 1) return { state, outcome: 'gap' };
  const slots = new Map(state.slots);
  for (const slot of event.slots) {
    if (event.kind === 'slots.removed' || slot.status === 'canceled') slots.delete(slot.id);
    else slots.set(slot.id, slot);
  }
  return { state: { version: event.version, slots }, outcome: 'applied' };
}

export function parseServerMessage(data: unknown): ServerMessage | null {
  if (typeof data !== 'string') return null;
  try {
    const message = JSON.parse(data) as ServerMessage;
    return typeof message?.type === 'string' ? message : null;
  } catch {
    return null;
  }
}
