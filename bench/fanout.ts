/**
 * `npm run bench -- fanout --watchers N [--changes 15] [--idle-ms 15000]`
 *
 * N WebSocket clients watch one teacher's calendar; slot changes are committed through the API; each client's
 * receipt is timed from the start of the API request. The first change comes after the calendar object has
 * been idle long enough to hibernate (cold); the warm figures are medians over the following changes. N more
 * clients watch a minimal partyserver room in the same runtime, triggered by one HTTP request: the baseline.
 * Its broadcasts alternate with the warm changes, so both are timed under the same conditions. Prints one
 * JSON line.
 */
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import * as schema from '../db/schema.ts';
import { startStack } from '../scripts/stack.ts';
import { createTeacherSession } from '../test/support/teacher-session.ts';
import { median, note, percentile, round } from './stats.ts';

interface Watcher {
  ws: WebSocket;
  /** Receipt time (performance.now) per awaited key: an event version, or a baseline message id. */
  received: Map<string, number>;
}

/**
 * `keyOf` reads the raw text with a regular expression rather than JSON.parse: a thousand sockets share this one
 * benchmark thread, and parsing each payload before the next socket's receipt is timed would measure the
 * benchmark's own parser (and favour the smaller payload) rather than delivery.
 */
async function connectAll(
  url: string,
  count: number,
  headers: Record<string, string>,
  keyOf: (raw: string) => string | null,
): Promise<Watcher[]> {
  const watchers: Watcher[] = [];
  const BATCH = 50;
  for (let start = 0; start < count; start += BATCH) {
    const batch = Array.from(
      { length: Math.min(BATCH, count - start) },
      () =>
        new Promise<Watcher>((resolve, reject) => {
          const ws = new WebSocket(url, { headers, perMessageDeflate: false });
          const watcher: Watcher = { ws, received: new Map() };
          ws.on('message', (data) => {
            const at = performance.now();
            const key = keyOf(String(data));
            if (key !== null && !watcher.received.has(key)) watcher.received.set(key, at);
            if (key === 'hello') resolve(watcher);
          });
          ws.once('error', reject);
          ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
        }),
    );
    watchers.push(...(await Promise.all(batch)));
  }
  return watchers;
}

async function waitForAll(watchers: Watcher[], key: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && watchers.some((w) => !w.received.has(key)))
    await new Promise((r) => setTimeout(r, 20));
}

/** Latencies (ms) of one change, from its trigger time to each watcher's receipt. */
function latencies(watchers: Watcher[], key: string, startedAt: number): number[] {
  return watchers.flatMap((w) => (w.received.has(key) ? [w.received.get(key)! - startedAt] : []));
}

function summarise(perChange: number[][]) {
  return {
    p50: round(median(perChange.map((l) => percentile(l, 50)))),
    p99: round(median(perChange.map((l) => percentile(l, 99)))),
    max: round(median(perChange.map((l) => Math.max(...l)))),
  };
}

const closeAll = (watchers: Watcher[]) =>
  Promise.all(
    watchers.map(
      (w) =>
        new Promise<void>((resolve) => {
          w.ws.once('close', () => resolve());
          w.ws.close();
          setTimeout(resolve, 2000);
        }),
    ),
  );

export async function main(args: Map<string, string>): Promise<void> {
  const watcherCount = Number(args.get('watchers') ?? 100);
  const changes = Math.max(5, Number(args.get('changes') ?? 15));
  const idleMs = Number(args.get('idle-ms') ?? 15_000);
  const dataDir = await mkdtemp(join(tmpdir(), 'slotcast-bench-'));
  note(`starting the stack in ${dataDir}`);
  const stack = await startStack({
    dataDir,
    fresh: true,
    quiet: true,
    port: Number(args.get('port') ?? 8791),
    bench: true,
  });
  try {
    const client = createClient({ url: stack.dbUrl });
    const teacher = await createTeacherSession(drizzle(client, { schema }));
    const origin = stack.appUrl;
    const wsBase = stack.appUrl.replace(/^http/, 'ws');

    // Both sets of N watchers stay connected for the whole run, and the warm changes alternate between the
    // calendar and the baseline room, so both are measured under the same conditions (the same garbage, the
    // same warm caches) rather than one after the other.
    note(`connecting ${watcherCount} watchers to the calendar`);
    const watchers = await connectAll(
      `${wsBase}/api/live/teacher`,
      watcherCount,
      { cookie: teacher.cookie, origin },
      (raw) =>
        raw.startsWith('{"type":"hello"')
          ? 'hello'
          : raw.startsWith('{"type":"event"')
            ? `v${/"version":(\d+)/.exec(raw)?.[1]}`
            : null,
    );
    note(`connecting ${watcherCount} watchers to the baseline room`);
    const room = `bench-${Date.now()}`;
    const baseline = await connectAll(`${wsBase}/api/bench/room/${room}/ws`, watcherCount, { origin }, (raw) =>
      raw.startsWith('{"type":"hello"')
        ? 'hello'
        : raw.startsWith('{"type":"bench"')
          ? `b${/"n":(\d+)/.exec(raw)?.[1]}`
          : null,
    );

    let day = 1;
    const change = async () => {
      const started = performance.now();
      const response = await fetch(`${stack.appUrl}/api/teacher/slots`, {
        method: 'POST',
        headers: { origin, cookie: teacher.cookie, 'content-type': 'application/json' },
        body: JSON.stringify({
          start: new Date(Date.now() + day++ * 86_400_000).toISOString().slice(0, 16) + 'Z',
          lengthMinutes: 30,
        }),
      });
      const body = (await response.json()) as { version: number };
      if (response.status !== 201) throw new Error(`slot change failed: ${response.status} ${JSON.stringify(body)}`);
      await waitForAll(watchers, `v${body.version}`);
      return latencies(watchers, `v${body.version}`, started);
    };
    const broadcast = async (n: number) => {
      const started = performance.now();
      const response = await fetch(`${stack.appUrl}/api/bench/room/${room}/broadcast`, {
        method: 'POST',
        headers: { origin },
        body: JSON.stringify({ type: 'bench', n }),
      });
      if (!response.ok) throw new Error(`baseline broadcast failed: ${response.status}`);
      await waitForAll(baseline, `b${n}`);
      return latencies(baseline, `b${n}`, started);
    };

    note(`idle ${idleMs} ms so the calendar object hibernates`);
    await new Promise((r) => setTimeout(r, idleMs));
    const cold = await change();
    await new Promise((r) => setTimeout(r, 250));
    await broadcast(0); // the room's first broadcast after the idle wakes it; not counted
    const warm: number[][] = [];
    const baselineRuns: number[][] = [];
    for (let i = 1; i <= changes; i++) {
      await new Promise((r) => setTimeout(r, 250));
      warm.push(await change());
      await new Promise((r) => setTimeout(r, 250));
      baselineRuns.push(await broadcast(i));
    }
    const received = [cold, ...warm].reduce((sum, l) => sum + l.length, 0);
    await closeAll([...watchers, ...baseline]);
    client.close();

    const warmStats = summarise(warm);
    const baselineStats = summarise(baselineRuns);
    console.log(
      JSON.stringify({
        bench: 'fanout',
        watchers: watcherCount,
        received,
        expected: watcherCount * (changes + 1),
        cold_p99_ms: round(percentile(cold, 99)),
        p50_ms: warmStats.p50,
        p99_ms: warmStats.p99,
        max_ms: warmStats.max,
        baseline_p99_ms: baselineStats.p99,
        baseline_p50_ms: baselineStats.p50,
        ratio_p99: round(warmStats.p99 / baselineStats.p99, 2),
        changes,
      }),
    );
  } catch (error) {
    note(`failed; the stack's log is in ${join(dataDir, 'wrangler.log')}`);
    throw error;
  } finally {
    await stack.stop();
    if (!process.exitCode && !args.has('keep')) await rm(dataDir, { recursive: true, force: true }).catch(() => {});
  }
}
