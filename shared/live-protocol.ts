/**
 * The live calendar protocol, shared by the TeacherCalendar object and the web client.
 * Pure: no runtime APIs, so the browser bundle and unit tests import it directly.
 */

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

export type ServerMessage =
  | { type: 'hello'; version: number }
  | { type: 'event'; event: CalendarEvent }
  | { type: 'events'; events: CalendarEvent[]; version: number }
  | { type: 'heartbeat'; version: number }
  /** The object cannot replay from the client's version: refetch the snapshot. */
  | { type: 'resync'; version: number }
  /** The connection's credential stopped being valid (link revoked, signed out). */
  | { type: 'closed'; reason: string };

export type ClientMessage = { type: 'sync'; since: number } | { type: 'ping' };

/** A calendar read: the slots of a time range at one version, the starting point live events apply to. */
export interface CalendarSnapshot {
  version: number;
  slots: SlotView[];
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
