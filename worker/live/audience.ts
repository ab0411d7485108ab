/**
 * Who is watching a calendar, and what each may see. Pure functions: the object calls them per socket.
 */
import type { CalendarEvent, ServerMessage, SlotView } from '../../shared/live-protocol.ts';

export type Audience =
  | { kind: 'teacher'; teacherId: string }
  /** A student watching through a share link: sees only available / booked / mine. */
  | { kind: 'student'; studentId: string; linkId: string };

/** A slot as a student sees it: no booking details, only whether the booking is theirs. */
export function studentSlotView(slot: SlotView, studentId: string): SlotView {
  const { booking, ...rest } = slot;
  return { ...rest, mine: booking?.studentId === studentId };
}

/**
 * Serialises a message about `events` once per distinct view: the teacher's, the anonymous "someone booked it"
 * view, and one per student whose own booking the events contain. Fan-out to 1,000 sockets then costs a map
 * lookup each.
 */
function payloadsPerView(events: CalendarEvent[], message: (events: CalendarEvent[]) => ServerMessage) {
  const cache = new Map<string, string>();
  const ownersInEvents = new Set(
    events.flatMap((e) => e.slots.map((s) => s.booking?.studentId)).filter((id): id is string => !!id),
  );
  return (audience: Audience): string => {
    const key =
      audience.kind === 'teacher'
        ? 'teacher'
        : ownersInEvents.has(audience.studentId)
          ? `student:${audience.studentId}`
          : 'public';
    let payload = cache.get(key);
    if (!payload) {
      const studentId = audience.kind === 'student' && ownersInEvents.has(audience.studentId) ? audience.studentId : '';
      const filtered =
        key === 'teacher'
          ? events
          : events.map((e) => ({ ...e, slots: e.slots.map((s) => studentSlotView(s, studentId)) }));
      payload = JSON.stringify(message(filtered));
      cache.set(key, payload);
    }
    return payload;
  };
}

/** One live event, as each audience may see it. */
export const eventPayloads = (event: CalendarEvent) =>
  payloadsPerView([event], ([filtered]) => ({ type: 'event', event: filtered! }));

/** A catch-up (the events since a client's version, up to `version`), as each audience may see it. */
export const catchUpPayloads = (events: CalendarEvent[], version: number) =>
  payloadsPerView(events, (filtered) => ({ type: 'events', events: filtered, version }));
