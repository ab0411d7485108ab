import { describe, expect, it } from 'vitest';
import {
  acceptedWindow,
  LIVE_RECONNECT,
  liveSocketUrl,
  reconnectDelayMs,
  reconnectWindowFor,
} from './live-connection.ts';

describe('the live reconnect schedule', () => {
  it('connects a page at once and spreads every later attempt over the whole of its window', () => {
    expect(reconnectDelayMs(0, () => 0.99)).toBe(0);
    expect(reconnectDelayMs(1, () => 0)).toBe(0);
    expect(reconnectDelayMs(1, () => 0.999)).toBeCloseTo(0.999 * LIVE_RECONNECT.firstWindowMs);
    expect(reconnectDelayMs(2, () => 0.5)).toBe(LIVE_RECONNECT.firstWindowMs);
  });

  it('spreads the first attempt over the window the calendar announced, doubling it after a failure', () => {
    expect(reconnectDelayMs(1, () => 0.999, 1_000)).toBeCloseTo(999);
    expect(reconnectDelayMs(2, () => 0.5, 8_000)).toBe(8_000);
    expect(reconnectDelayMs(9, () => 0.999_999, 8_000)).toBeLessThan(LIVE_RECONNECT.maxWindowMs);
  });

  it('gives a calendar a window its watchers come back over at about 125 a second, in powers of two', () => {
    expect(reconnectWindowFor(0)).toBe(1_000);
    expect(reconnectWindowFor(125)).toBe(1_000);
    expect(reconnectWindowFor(126)).toBe(2_000);
    expect(reconnectWindowFor(300)).toBe(4_000);
    expect(reconnectWindowFor(1_000)).toBe(8_000);
    expect(reconnectWindowFor(1_001)).toBe(16_000);
    expect(reconnectWindowFor(1_000_000)).toBe(LIVE_RECONNECT.maxWindowMs);
  });

  it('takes only an announced window within the schedule', () => {
    expect(acceptedWindow(8_000)).toBe(8_000);
    expect(acceptedWindow(0)).toBeNull();
    expect(acceptedWindow(600_000)).toBeNull();
    expect(acceptedWindow('8000')).toBeNull();
    expect(acceptedWindow(undefined)).toBeNull();
  });

  it('never waits longer than the largest window, however many attempts failed', () => {
    expect(reconnectDelayMs(50, () => 0.999_999)).toBeLessThan(LIVE_RECONNECT.maxWindowMs);
  });

  it('sends the ticket only while it is good, and the version the client holds', () => {
    const ticket = { value: 'a.b', expiresAt: 1_000 };
    expect(liveSocketUrl('/api/live/teacher', ticket, 999)).toBe('/api/live/teacher?ticket=a.b');
    expect(liveSocketUrl('/api/live/teacher', ticket, 1_000)).toBe('/api/live/teacher');
    expect(liveSocketUrl('/api/live/teacher', null, 0)).toBe('/api/live/teacher');
    expect(liveSocketUrl('/api/live/teacher', ticket, 999, 41)).toBe('/api/live/teacher?ticket=a.b&since=41');
    expect(liveSocketUrl('/api/live/teacher', null, 0, 41)).toBe('/api/live/teacher?since=41');
    // No version yet (before the snapshot): nothing to catch up from.
    expect(liveSocketUrl('/api/live/teacher', null, 0, 0)).toBe('/api/live/teacher');
  });
});
