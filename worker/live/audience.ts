/**
 * Who is watching a calendar, and what each may see. Pure functions: the object calls them per socket.
 */
import type { CalendarEvent, SlotView } from '../../shared/live-protocol.ts';

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
 * Serialises an event once per distinct view: the teacher's, the anonymous "someone booked it" view, and one
 * per student whose own booking the event contains. Fan-out to 1,000 sockets then costs a map lookup each.
 */
export function eventPayloads(event: CalendarEvent) {
  const cache = new Map<string, string>();
  const ownersInEvent = new Set(event.slots.map((s) => s.booking?.studentId).filter((id): id is string => !!id));
  return (audience: Audience): string => {
    const key =
      audience.kind === 'teacher'
        ? 'teacher'
        : ownersInEvent.has(audience.studentId)
          ? `student:${audience.studentId}`
          : 'public';
    let payload = cache.get(key);
    if (!payload) {
      const studentId = audience.kind === 'student' && ownersInEvent.has(audience.studentId) ? audience.studentId : '';
      const filtered =
        key === 'teacher' ? event : { ...event, slots: event.slots.map((s) => studentSlotView(s, studentId)) };
      payload = JSON.stringify({ type: 'event', event: filtered });
      cache.set(key, payload);
    }
    return payload;
  };
}

export function filterEventFor(event: CalendarEvent, audience: Audience): CalendarEvent {
  if (audience.kind === 'teacher') return event;
  return { ...event, slots: event.slots.map((s) => studentSlotView(s, audience.studentId)) };
}
