import { describe, expect, it } from 'vitest';
import { LIVE_RECONNECT, liveSocketUrl, reconnectDelayMs } from './live-connection.ts';

describe('the live reconnect schedule', () => {
  it('connects a page at once and spreads every later attempt over the whole of its window', () => {
    expect(reconnectDelayMs(0, () => 0.99)).toBe(0);
    expect(reconnectDelayMs(1, () => 0)).toBe(0);
    expect(reconnectDelayMs(1, () => 0.999)).toBeCloseTo(0.999 * LIVE_RECONNECT.firstWindowMs);
    expect(reconnectDelayMs(2, () => 0.5)).toBe(LIVE_RECONNECT.firstWindowMs);
  });

  it('never waits longer than the largest window, however many attempts failed', () => {
    expect(reconnectDelayMs(50, () => 0.999_999)).toBeLessThan(LIVE_RECONNECT.maxWindowMs);
  });

  it('sends the ticket only while it is good', () => {
    const ticket = { value: 'a.b', expiresAt: 1_000 };
    expect(liveSocketUrl('/api/live/teacher', ticket, 999)).toBe('/api/live/teacher?ticket=a.b');
    expect(liveSocketUrl('/api/live/teacher', ticket, 1_000)).toBe('/api/live/teacher');
    expect(liveSocketUrl('/api/live/teacher', null, 0)).toBe('/api/live/teacher');
  });
});
