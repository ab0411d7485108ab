/**
 * What a calendar object tells its watchers about coming back after a drop: the first window of their
 * reconnect jitter (shared/live-connection.ts `reconnectWindowFor`), from how many watch. A deploy drops every
 * socket at once; the wider the audience, the wider the window, so that together they come back at a rate the
 * object (one thread) takes in its stride, and a change made meanwhile isn't queued behind a thousand upgrades.
 *
 * The count is the runtime's list of sockets (closing ones too), read once when the object (re)starts and at
 * each heartbeat, and counted up per accepted socket between: closes between heartbeats aren't counted, which
 * only ever makes the window wider than needed, never narrower. Pure: no runtime APIs.
 */
import { reconnectWindowFor } from '../../shared/live-connection.ts';

export class ReconnectSpread {
  private watchers: number | null = null;
  private announcedMs = 0;

  /**
   * A socket was just accepted. `listed` counts the runtime's sockets (the new one included), read only on the
   * first call after a start. Returns the window to greet the new socket with, and `widened` when every other
   * watcher must be told a wider one (a heartbeat to all: a handful of times as a calendar fills, at 126, 251,
   * 501 … watchers).
   */
  accepted(listed: () => number): { windowMs: number; widened: boolean } {
    if (this.watchers === null) {
      this.watchers = listed();
      // The others were told, before the object slept, about the window of the audience without this socket.
      this.announcedMs = reconnectWindowFor(this.watchers - 1);
    } else {
      this.watchers++;
    }
    const windowMs = reconnectWindowFor(this.watchers);
    const widened = windowMs > this.announcedMs;
    if (widened) this.announcedMs = windowMs;
    return { windowMs, widened };
  }

  /** The heartbeat's exact count (closed sockets gone): the window every watcher is told with it. */
  recount(watchers: number): number {
    this.watchers = watchers;
    this.announcedMs = reconnectWindowFor(watchers);
    return this.announcedMs;
  }

  /** The window last announced (for a heartbeat answering a ping). */
  get windowMs(): number {
    return this.announcedMs || reconnectWindowFor(this.watchers ?? 0);
  }
}
