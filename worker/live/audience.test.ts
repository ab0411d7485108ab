import { describe, expect, it } from 'vitest';
import { eventPayloads } from './audience.ts';
import type { CalendarEvent } from '../../shared/live-protocol.ts';

const event: CalendarEvent = {
  version: 7,
  kind: 'slots.upserted',
  at: 0,
  slots: [
    {
      id: 's1',
      startsAt: 0,
      endsAt: 1,
      subject: 'Maths',
      status: 'booked',
      seriesId: null,
      booking: { id: 'b1', studentId: 'alice', studentName: 'Alice A', studentColor: '#f00' },
    },
    { id: 's2', startsAt: 2, endsAt: 3, subject: 'Maths', status: 'open', seriesId: null, booking: null },
  ],
};

describe('privacy-filtered live payloads', () => {
  const payloadFor = eventPayloads(event);
  it('shows the teacher who booked', () => {
    expect(payloadFor({ kind: 'teacher', teacherId: 't' })).toContain('Alice A');
  });
  it('shows the booking student only that it is theirs', () => {
    const payload = JSON.parse(payloadFor({ kind: 'student', studentId: 'alice', linkId: 'l1' }));
    expect(payload.event.slots[0]).toMatchObject({ status: 'booked', mine: true });
    expect(JSON.stringify(payload)).not.toContain('Alice A');
    expect(JSON.stringify(payload)).not.toContain('b1');
  });
  it('shows another student only that the slot is booked', () => {
    const text = payloadFor({ kind: 'student', studentId: 'bob', linkId: 'l2' });
    const payload = JSON.parse(text);
    expect(payload.event.slots[0]).toMatchObject({ status: 'booked', mine: false });
    for (const secret of ['Alice', 'alice', 'b1', '#f00']) expect(text).not.toContain(secret);
  });
});
