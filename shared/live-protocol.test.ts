import { describe, expect, it } from 'vitest';
import { applyEvent, type CalendarEvent, type CalendarState, type SlotView } from './live-protocol.ts';

const slot = (id: string, status: SlotView['status'] = 'open'): SlotView => ({
  id,
  startsAt: 0,
  endsAt: 1,
  subject: '',
  status,
  seriesId: null,
});
const event = (version: number, kind: CalendarEvent['kind'], slots: SlotView[]): CalendarEvent => ({
  version,
  kind,
  slots,
  at: 0,
});
const empty: CalendarState = { version: 3, slots: new Map() };

describe('applying live events in version order', () => {
  it('applies the next version', () => {
    const { state, outcome } = applyEvent(empty, event(4, 'slots.upserted', [slot('a')]));
    expect(outcome).toBe('applied');
    expect(state.version).toBe(4);
    expect([...state.slots.keys()]).toEqual(['a']);
  });
  it('ignores an event it has already seen', () => {
    expect(applyEvent(empty, event(3, 'slots.upserted', [slot('a')])).outcome).toBe('stale');
  });
  it('reports a gap instead of applying an event from the future', () => {
    const result = applyEvent(empty, event(6, 'slots.upserted', [slot('a')]));
    expect(result.outcome).toBe('gap');
    expect(result.state).toBe(empty);
  });
  it('removes canceled slots', () => {
    const withA = applyEvent(empty, event(4, 'slots.upserted', [slot('a')])).state;
    expect(applyEvent(withA, event(5, 'slots.removed', [slot('a', 'canceled')])).state.slots.size).toBe(0);
  });
});
