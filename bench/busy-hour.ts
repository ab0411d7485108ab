/**
 * `npm run bench -- busy-hour [--teachers 30] [--watchers 25] [--bookers 200] [--reads 15] [--seconds 60]`
 *
 * A school's busy hour: T teachers, W students watching each teacher's calendar live (share-link sockets), B
 * students booking (each starts at a random moment within S seconds and tries the teacher's open slots in a
 * random order, retrying on 409 until one is confirmed or none is left) and R portal calendar reads a second,
 * for S seconds. In the same run, before the load, the idle baseline: one booking per teacher made alone (so
 * every watcher gets one change with nothing else going on) and single sequential reads.
 *
 * Live delivery is timed from the start of the booking request that made the change to each watcher's
 * receipt of its version. Prints one JSON line: bookings/s, p50/p99 of booking, read and live delivery, loaded
 * and idle, their ratios, watcher-events missed, errors and double bookings.
 */
import { createClient } from '@libsql/client';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { freePort, startStack } from '../scripts/stack.ts';
import { portalFixture } from './portal-fixture.ts';
import { note, percentile, round } from './stats.ts';

const REQUEST_TIMEOUT_MS = 30_000;

interface Calendar {
  index: number;
  teacherId: string;
  slotIds: string[];
  tokens: string[];
  /** Per watcher: version → receipt time (performance.now). */
  watchers: { ws: WebSocket; received: Map<number, number> }[];
  /** version → start of the booking request that made it. */
  changes: Map<number, { startedAt: number; idle: boolean }>;
}

let ipCounter = 0;
const nextIp = () => `2001:db8:b::${(++ipCounter).toString(16)}`;

const shuffled = <T>(items: T[]) => {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
};

/** Runs `work` over `items`, at most `limit` at a time. */
async function inPool<T>(items: T[], limit: number, work: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index]!, index);
      }
    }),
  );
}

const stats = (values: number[]) => ({ p50: round(percentile(values, 50)), p99: round(percentile(values, 99)) });

export async function main(args: Map<string, string>): Promise<void> {
  const teacherCount = Number(args.get('teachers') ?? 30);
  const watchersPer = Number(args.get('watchers') ?? 25);
  const bookerCount = Number(args.get('bookers') ?? 200);
  const readsPerSecond = Number(args.get('reads') ?? 15);
  const seconds = Number(args.get('seconds') ?? 60);
  const idleReads = Number(args.get('idle-reads') ?? 30);
  const loadBefore = loadavg();
  const dataDir = await mkdtemp(join(tmpdir(), 'slotcast-bench-'));
  const stack = await startStack({ dataDir, fresh: true, quiet: true, port: await freePort() });
  const app = stack.appUrl;
  const errors: string[] = [];
  let stopping = false;
  const error = (what: string) => {
    if (errors.length < 1000) errors.push(what);
  };
  try {
    // Each teacher: one slot per booker plus one for the idle baseline's booking; enough links that no link
    // carries more than its 10 sockets.
    const bookersPer = Math.ceil(bookerCount / teacherCount);
    const studentsPer = Math.max(bookersPer, Math.ceil(watchersPer / 8), 1);
    note(`arranging ${teacherCount} teachers with ${bookersPer + 1} slots and ${studentsPer} students each`);
    const calendars: Calendar[] = [];
    await inPool(
      Array.from({ length: teacherCount }, (_, i) => i),
      3,
      async (index) => {
        const fixture = await portalFixture(app, stack.dbUrl, { slots: bookersPer + 1, students: studentsPer });
        calendars[index] = {
          index,
          teacherId: fixture.teacher.id,
          slotIds: fixture.slotIds,
          tokens: fixture.tokens,
          watchers: [],
          changes: new Map(),
        };
      },
    );

    const wsBase = app.replace(/^http/, 'ws');
    note(`connecting ${teacherCount * watchersPer} watchers`);
    const watcherJobs = calendars.flatMap((calendar) =>
      Array.from({ length: watchersPer }, (_, i) => ({ calendar, i })),
    );
    await inPool(watcherJobs, 10, async ({ calendar, i }) => {
      const received = new Map<number, number>();
      const ws = await new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(`${wsBase}/api/live/link/${calendar.tokens[i % calendar.tokens.length]}`, {
          headers: { origin: app, 'cf-connecting-ip': nextIp() },
          perMessageDeflate: false,
        });
        socket.on('message', (data) => {
          const at = performance.now();
          const raw = String(data);
          // Read with a regular expression, not JSON.parse: this one thread times a thousand sockets.
          if (raw.startsWith('{"type":"hello"')) resolve(socket);
          else if (raw.startsWith('{"type":"event"')) {
            const version = Number(/"version":(\d+)/.exec(raw)?.[1]);
            if (!received.has(version)) received.set(version, at);
          }
        });
        socket.once('error', reject);
        socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      });
      ws.on('close', (code) => {
        if (!stopping) error(`watcher closed: ${code}`);
      });
      calendar.watchers.push({ ws, received });
    });

    const book = async (calendar: Calendar, token: string, slotId: string, idle: boolean) => {
      const startedAt = performance.now();
      try {
        const response = await fetch(`${app}/api/booking/${token}/book`, {
          method: 'POST',
          headers: { origin: app, 'content-type': 'application/json', 'cf-connecting-ip': nextIp() },
          body: JSON.stringify({ slotId }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const body = await response.text();
        const ms = performance.now() - startedAt;
        if (response.status === 201) {
          const { version } = JSON.parse(body) as { version: number };
          calendar.changes.set(version, { startedAt, idle });
        } else if (response.status !== 409) error(`book: ${response.status} ${body.slice(0, 120)}`);
        return { status: response.status, ms };
      } catch (e) {
        error(`book: ${e instanceof Error ? e.message : String(e)}`);
        return { status: 0, ms: performance.now() - startedAt };
      }
    };
    const read = async () => {
      const calendar = calendars[Math.floor(Math.random() * calendars.length)]!;
      const token = calendar.tokens[Math.floor(Math.random() * calendar.tokens.length)]!;
      const startedAt = performance.now();
      try {
        const response = await fetch(`${app}/api/booking/${token}/calendar`, {
          headers: { 'cf-connecting-ip': nextIp() },
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        await response.arrayBuffer();
        if (response.status !== 200) error(`read: ${response.status}`);
      } catch (e) {
        error(`read: ${e instanceof Error ? e.message : String(e)}`);
      }
      return performance.now() - startedAt;
    };
    const waitForDelivery = async (calendar: Calendar, version: number, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline && calendar.watchers.some((w) => !w.received.has(version)))
        await new Promise((r) => setTimeout(r, 10));
    };

    // The idle baseline: one booking per teacher, alone (its last slot, with its first link), then single reads.
    note('idle baseline');
    for (const calendar of calendars) {
      const result = await book(calendar, calendar.tokens[0]!, calendar.slotIds.at(-1)!, true);
      const version = [...calendar.changes].find(([, c]) => c.idle)?.[0];
      if (result.status === 201 && version !== undefined) await waitForDelivery(calendar, version);
    }
    const idleReadMs: number[] = [];
    for (let i = 0; i < idleReads; i++) idleReadMs.push(await read());

    // The busy hour.
    note(`busy hour: ${bookerCount} bookers, ${readsPerSecond} reads/s for ${seconds} s`);
    const bookingMs: number[] = [];
    const readMs: number[] = [];
    let attempts = 0;
    let conflicts = 0;
    let confirmed = 0;
    let gaveUp = 0;
    const loadStarted = performance.now();
    let lastBooking = loadStarted;
    const bookers = Array.from({ length: bookerCount }, async (_, b) => {
      const calendar = calendars[b % teacherCount]!;
      const token = calendar.tokens[Math.floor(b / teacherCount) % calendar.tokens.length]!;
      await new Promise((r) => setTimeout(r, Math.random() * seconds * 1000));
      for (const slotId of shuffled(calendar.slotIds)) {
        attempts++;
        const { status, ms } = await book(calendar, token, slotId, false);
        bookingMs.push(ms);
        lastBooking = performance.now();
        if (status === 201) {
          confirmed++;
          return;
        }
        if (status === 409) conflicts++;
        else return;
      }
      gaveUp++;
    });
    const reads: Promise<void>[] = [];
    // Reads are due on a fixed schedule: a late timer (a busy benchmark process) starts the ones it owes at once.
    const readTimer = setInterval(() => {
      const elapsed = Math.min(performance.now() - loadStarted, seconds * 1000);
      const due = Math.floor((elapsed * readsPerSecond) / 1000);
      while (reads.length < due) reads.push(read().then((ms) => void readMs.push(ms)));
    }, 1000 / readsPerSecond);
    await Promise.all(bookers);
    while (performance.now() - loadStarted < seconds * 1000) await new Promise((r) => setTimeout(r, 100));
    clearInterval(readTimer);
    await Promise.all(reads);
    const bookingSeconds = (lastBooking - loadStarted) / 1000;
    // Let the last events arrive before counting what was missed: one deadline for all, not one per event.
    const lastCall = Date.now() + 15_000;
    for (const calendar of calendars)
      for (const version of calendar.changes.keys())
        await waitForDelivery(calendar, version, Math.max(0, lastCall - Date.now()));

    const liveMs: number[] = [];
    const idleLiveMs: number[] = [];
    let missed = 0;
    const watchersMissing = new Set<WebSocket>();
    for (const calendar of calendars) {
      for (const [version, change] of calendar.changes) {
        for (const watcher of calendar.watchers) {
          const at = watcher.received.get(version);
          if (at === undefined) {
            missed++;
            watchersMissing.add(watcher.ws);
          } else (change.idle ? idleLiveMs : liveMs).push(at - change.startedAt);
        }
      }
    }
    stopping = true;
    for (const calendar of calendars) for (const { ws } of calendar.watchers) ws.terminate();

    const db = createClient({ url: stack.dbUrl });
    const doubles = await db.execute(
      "SELECT count(*) AS n FROM (SELECT slot_id FROM bookings WHERE status = 'scheduled' GROUP BY slot_id HAVING count(*) > 1)",
    );
    db.close();
    for (const [what, count] of countBy(errors)) note(`${count}× ${what}`);

    const booking = stats(bookingMs);
    const loadedRead = stats(readMs);
    const idleRead = stats(idleReadMs);
    const live = stats(liveMs);
    const idleLive = stats(idleLiveMs);
    console.log(
      JSON.stringify({
        bench: 'busy-hour',
        teachers: teacherCount,
        watchers_per_calendar: watchersPer,
        watchers: teacherCount * watchersPer,
        bookers: bookerCount,
        reads_per_s: readsPerSecond,
        seconds,
        confirmed,
        attempts,
        conflicts,
        gave_up: gaveUp,
        bookings_per_s: round(confirmed / Math.max(bookingSeconds, 0.001), 2),
        booking_p50_ms: booking.p50,
        booking_p99_ms: booking.p99,
        // Reads answered; fewer than reads_per_s × seconds when the benchmark's own process was starved of CPU.
        reads: readMs.length,
        reads_started: reads.length,
        read_p50_ms: loadedRead.p50,
        read_p99_ms: loadedRead.p99,
        idle_read_p50_ms: idleRead.p50,
        idle_read_p99_ms: idleRead.p99,
        read_p99_ratio: round(loadedRead.p99 / idleRead.p99, 2),
        live_deliveries: liveMs.length,
        live_p50_ms: live.p50,
        live_p99_ms: live.p99,
        idle_live_p50_ms: idleLive.p50,
        idle_live_p99_ms: idleLive.p99,
        live_p99_ratio: round(live.p99 / idleLive.p99, 2),
        missed_events: missed,
        watchers_that_missed: watchersMissing.size,
        errors: errors.length,
        double_booked: Number(doubles.rows[0]!.n),
        loadavg_before: loadBefore.map((l) => round(l, 2)),
        loadavg: loadavg().map((l) => round(l, 2)),
      }),
    );
  } catch (e) {
    note(`failed; the stack's log is in ${join(dataDir, 'wrangler.log')}`);
    throw e;
  } finally {
    await stack.stop();
    if (!process.exitCode && !args.has('keep')) await rm(dataDir, { recursive: true, force: true }).catch(() => {});
  }
}

function countBy(items: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}
