import { describe, expect, it } from 'vitest';
import { ReconnectSpread } from './reconnect-spread.ts';

describe("a calendar's reconnect spread", () => {
  it('widens the window as watchers arrive, telling the others only when it widens', () => {
    const spread = new ReconnectSpread();
    const widenedAt: number[] = [];
    let windowMs = 0;
    for (let watcher = 1; watcher <= 1_000; watcher++) {
      const accepted = spread.accepted(() => watcher);
      if (accepted.widened && watcher > 1) widenedAt.push(watcher);
      windowMs = accepted.windowMs;
    }
    expect(widenedAt).toEqual([126, 251, 501]);
    expect(windowMs).toBe(8_000);
    expect(spread.accepted(() => 0).windowMs).toBe(16_000);
  });

  it('counts the sockets the runtime lists once after a wake, then counts up', () => {
    const spread = new ReconnectSpread();
    let listed = 0;
    // Woken with 300 sockets open: they were told 4 s before it slept; the 301st changes nothing for them.
    expect(spread.accepted(() => (listed++, 301))).toEqual({ windowMs: 4_000, widened: false });
    expect(spread.accepted(() => (listed++, 999))).toEqual({ windowMs: 4_000, widened: false });
    expect(listed).toBe(1);
  });

  it('narrows again at the heartbeat, from the exact count', () => {
    const spread = new ReconnectSpread();
    for (let watcher = 1; watcher <= 600; watcher++) spread.accepted(() => watcher);
    expect(spread.windowMs).toBe(8_000);
    expect(spread.recount(40)).toBe(1_000);
    expect(spread.windowMs).toBe(1_000);
    // Growing again from the exact count is announced again.
    expect(spread.accepted(() => 0)).toEqual({ windowMs: 1_000, widened: false });
  });
});
