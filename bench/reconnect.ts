/**
 * `npm run bench -- reconnect [--clients 1000] [--per-link 5] [--timeout-s 120] [--baseline 1000]`
 *
 * A deploy that no one should notice. N clients watch one teacher's calendar the way the portal page does:
 * a calendar read, then partysocket with the web client's own options (shared/live-connection.ts) and the same
 * reaction to what the socket says. Then a Worker file is touched, so `wrangler dev` reloads and drops every
 * socket (as a deploy on Cloudflare does); the teacher changes the calendar while the sockets are down and
 * keeps writing while the clients come back. Measured from the moment the Worker answers again: when every
 * client is back and caught up, upgrade attempts per client, 5xx answers, and the latency of the writes made
 * during the storm. The baseline, in the same run: the local runtime's upgrades per second into a bare room
 * (worker/bench/bench-room.ts) with nothing else to do. Prints one JSON line.
 */
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { utimesSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import ReconnectingWebSocket from 'partysocket/ws';
import WebSocket from 'ws';
import * as schema from '../db/schema.ts';
import { freePort, ROOT, startStack } from '../scripts/stack.ts';
import {
  acceptedWindow,
  liveSocketOptions,
  liveSocketUrl,
  nextLiveUrl,
  type LiveTicket,
} from '../shared/live-connection.ts';
import {
  applyEvent,
  liveEnding,
  parseServerMessage,
  type CalendarState,
  type ServerMessage,
  type SlotView,
} from '../shared/live-protocol.ts';
import { createTeacherSession } from '../test/support/teacher-session.ts';
import { note, percentile, round } from './stats.ts';

const DAY_MS = 86_400_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Everything the run counts, across clients. */
const counts = { upgrades: 0, upgrade5xx: 0, read5xx: 0, write5xx: 0, upgradeRefused: 0, reads: 0 };

/** A browser's WebSocket, from the client's own address; counts every upgrade it attempts. */
function browserSocketFor(client: { appUrl: string; ip: string; attempts: number }) {
  return class BrowserSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols ?? [], {
        headers: { origin: client.appUrl, 'cf-connecting-ip': client.ip },
        perMessageDeflate: false,
      });
      client.attempts++;
      counts.upgrades++;
      this.on('error', (error: Error) => {
        const status = Number(/Unexpected server response: (\d+)/.exec(error.message)?.[1] ?? 0);
        if (status >= 500) counts.upgrade5xx++;
        else if (status > 0) counts.upgradeRefused++;
      });
    }
  };
}

/** One student's tab: the portal page's LiveCalendar (web/src/lib/live-calendar.svelte.ts), without the view. */
class PortalClient {
  state: CalendarState = { version: 0, slots: new Map<string, SlotView>() };
  ticket: LiveTicket | null = null;
  reconnectWindowMs: number | undefined = undefined;
  open = false;
  attempts = 0;
  socket: ReconnectingWebSocket | null = null;
  #loading: Promise<void> | null = null;

  readonly appUrl: string;
  readonly token: string;
  readonly ip: string;
  readonly range: { from: number; to: number };

  constructor(appUrl: string, token: string, ip: string, range: { from: number; to: number }) {
    this.appUrl = appUrl;
    this.token = token;
    this.ip = ip;
    this.range = range;
  }

  /** The page's calendar read (its snapshot, and a ticket for the next upgrade when the API gives one). */
  load(): Promise<void> {
    this.#loading ??= (async () => {
      try {
        const response = await fetch(
          `${this.appUrl}/api/booking/${this.token}/calendar?from=${this.range.from}&to=${this.range.to}`,
          { headers: { 'cf-connecting-ip': this.ip } },
        );
        counts.reads++;
        if (response.status >= 500) counts.read5xx++;
        if (!response.ok) return;
        const body = (await response.json()) as {
          version: number;
          slots: SlotView[];
          ticket?: LiveTicket;
        };
        if (body.ticket) this.ticket = body.ticket;
        if (body.version >= this.state.version)
          this.state = { version: body.version, slots: new Map(body.slots.map((s) => [s.id, s])) };
      } catch {
        // The Worker is reloading; the socket's next attempt reads again if it never opens.
      } finally {
        this.#loading = null;
      }
    })();
    return this.#loading;
  }

  connect(): void {
    const path = `/api/live/link/${this.token}`;
    const wsBase = this.appUrl.replace(/^http/, 'ws');
    let opened = false;
    const socket: ReconnectingWebSocket = new ReconnectingWebSocket(
      () =>
        nextLiveUrl(
          socket.retryCount,
          () => wsBase + liveSocketUrl(path, this.ticket, Date.now(), this.state.version),
          this.reconnectWindowMs,
        ),
      [],
      {
        ...liveSocketOptions(),
        WebSocket: browserSocketFor(this),
        shouldReconnectOnClose: (event) => liveEnding(event.code) === null,
      },
    );
    socket.addEventListener('open', () => {
      opened = true;
      this.open = true;
    });
    socket.addEventListener('close', () => {
      this.open = false;
      if (!opened) void this.load();
      opened = false;
    });
    socket.addEventListener('message', (event) => {
      const message = parseServerMessage(event.data);
      if (message) this.#handle(message);
    });
    this.socket = socket;
  }

  #handle(message: ServerMessage): void {
    switch (message.type) {
      case 'hello':
      case 'heartbeat':
        this.reconnectWindowMs = acceptedWindow(message.reconnectWindowMs) ?? this.reconnectWindowMs;
        // A hello that echoes `since` comes with the catch-up from that version: no sync to ask for.
        if (message.type === 'hello' && message.since !== undefined) break;
        if (message.version > this.state.version) this.#send({ type: 'sync', since: this.state.version });
        break;
      case 'event':
        this.#apply(message.event);
        break;
      case 'events':
        for (const event of message.events) this.#apply(event, false);
        if (message.version > this.state.version) void this.load();
        break;
      case 'resync':
        void this.load();
        break;
      case 'ticket':
        this.ticket = message.ticket;
        break;
    }
  }

  #apply(event: Parameters<typeof applyEvent>[1], syncOnGap = true): void {
    const result = applyEvent(this.state, event);
    if (result.outcome === 'gap') {
      if (syncOnGap) this.#send({ type: 'sync', since: this.state.version });
      return;
    }
    this.state = result.state;
  }

  #send(message: { type: 'sync'; since: number } | { type: 'ping' }): void {
    if (this.socket?.readyState === 1) this.socket.send(JSON.stringify(message));
  }
}

/** Runs `task` over `items`, `concurrency` at a time. */
async function pool<T>(items: T[], concurrency: number, task: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        await task(items[i]!, i);
      }
    }),
  );
}

async function waitUntil(condition: () => boolean, timeoutMs: number, pollMs = 20): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (condition()) return true;
    await sleep(pollMs);
  }
  return condition();
}

/**
 * The local runtime's upgrades per second into a bare room, all opened at once: the ceiling for the storm. Beside
 * them, every 250 ms, one bare database round trip through the runtime (worker/bench/index.ts, no Slotcast code):
 * how long the runtime itself makes any request wait while it accepts that many sockets.
 */
async function baselineStorm(appUrl: string, count: number): Promise<{ upgradesPerS: number; requestMs: number[] }> {
  const url = `${appUrl.replace(/^http/, 'ws')}/api/bench/room/baseline-${Date.now()}/ws`;
  const started = performance.now();
  let done = false;
  const requestMs: number[] = [];
  const probes: Promise<void>[] = [];
  const prober = (async () => {
    while (!done) {
      const at = performance.now();
      probes.push(
        fetch(`${appUrl}/api/bench/bare/query`).then(
          async (r) => void (await r.text(), requestMs.push(round(performance.now() - at))),
          () => undefined,
        ),
      );
      await sleep(250);
    }
  })();
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<WebSocket | null>((resolve) => {
          const ws = new WebSocket(url, { headers: { origin: appUrl }, perMessageDeflate: false });
          ws.on('message', () => resolve(ws));
          ws.once('error', () => resolve(null));
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  done = true;
  await prober;
  await Promise.all(probes);
  const opened = sockets.filter((s) => s !== null);
  for (const ws of opened) ws.terminate();
  return { upgradesPerS: round(opened.length / seconds), requestMs };
}

export async function main(args: Map<string, string>): Promise<void> {
  const clientCount = Number(args.get('clients') ?? 1000);
  const perLink = Math.min(10, Number(args.get('per-link') ?? 5));
  const timeoutMs = Number(args.get('timeout-s') ?? 120) * 1000;
  const baselineCount = Number(args.get('baseline') ?? clientCount);
  const dataDir = await mkdtemp(join(tmpdir(), 'slotcast-bench-'));
  note(`starting the stack in ${dataDir}`);
  const stack = await startStack({ dataDir, fresh: true, quiet: true, port: await freePort(), bench: true });
  const clients: PortalClient[] = [];
  try {
    const appUrl = stack.appUrl;
    const db = createClient({ url: stack.dbUrl });
    const teacher = await createTeacherSession(drizzle(db, { schema }), { minNoticeMinutes: 0 });
    db.close();
    const headers = { origin: appUrl, cookie: teacher.cookie, 'content-type': 'application/json' };
    const post = async <T>(path: string, body: unknown): Promise<{ status: number; body: T }> => {
      // Bounded: a write that takes a minute is a result, not a reason to hang for undici's five.
      const response = await fetch(appUrl + path, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      return { status: response.status, body: (await response.json()) as T };
    };

    const links = Math.ceil(clientCount / perLink);
    note(`enrolling ${links} students with links`);
    const tokens: string[] = Array.from({ length: links }, () => '');
    await pool(tokens, 4, async (_, i) => {
      const { body } = await post<{ student: { id: string } }>('/api/teacher/students', {
        name: `Student ${i + 1}`,
        email: `reconnect-${i}@example.test`,
      });
      const link = await post<{ link: { url: string } }>(`/api/teacher/students/${body.student.id}/share-link`, {});
      tokens[i] = link.body.link.url.split('/').at(-1)!;
    });

    let day = 2;
    /** One slot change by the teacher; its version is what every watcher must reach. */
    const change = async () => {
      const started = performance.now();
      const start = new Date(Date.now() + day++ * DAY_MS).toISOString().slice(0, 16) + 'Z';
      const { status, body } = await post<{ version: number }>('/api/teacher/slots', { start, lengthMinutes: 30 });
      if (status >= 500) counts.write5xx++;
      if (status !== 201) throw new Error(`slot change failed: ${status} ${JSON.stringify(body)}`);
      return { version: body.version, ms: performance.now() - started, startedAt: started };
    };
    await change();

    note(`baseline: ${baselineCount} upgrades at once into a bare room`);
    const baseline = await baselineStorm(appUrl, baselineCount);
    const baselineUps = baseline.upgradesPerS;

    note(`${clientCount} clients open the portal (${perLink} per link)`);
    const range = { from: Date.now(), to: Date.now() + 60 * DAY_MS };
    for (let i = 0; i < clientCount; i++) {
      const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      clients.push(new PortalClient(appUrl, tokens[i % links]!, ip, range));
    }
    await pool(clients, 25, async (client) => {
      await client.load();
      client.connect();
      await waitUntil(() => client.open, 60_000, 50);
    });
    const { version: before } = await change();
    if (!(await waitUntil(() => clients.every((c) => c.open && c.state.version >= before), 60_000)))
      throw new Error(
        `only ${clients.filter((c) => c.open).length} of ${clientCount} clients settled before the reload`,
      );

    note('touching the Worker: wrangler dev reloads and drops every socket');
    for (const c of clients) c.attempts = 0;
    counts.upgrades = 0;
    const touched = join(ROOT, 'worker', 'bench', 'index.ts');
    const now = new Date();
    utimesSync(touched, now, now);
    if (!(await waitUntil(() => clients.every((c) => !c.open), 60_000)))
      throw new Error(`the reload dropped only ${clients.filter((c) => !c.open).length} sockets`);
    const droppedAt = performance.now();
    note('all sockets dropped; the teacher makes three changes');
    const duringDrop = Promise.all([change(), change(), change()]);
    // The Worker answers again: the first health check that gets a 200 after the drop.
    while (
      !(await fetch(`${appUrl}/api/health`).then(
        (r) => r.ok,
        () => false,
      ))
    )
      await sleep(50);
    const answeringAt = performance.now();

    note('storm: the teacher keeps writing while the clients come back');
    // A write every 500 ms on a fixed schedule, each timed on its own: a slow write can't hide behind the next.
    const stormWrites: { atMs: number; ms: number }[] = [];
    const inFlight: Promise<void>[] = [];
    let allBackAt: number | null = null;
    const writer = (async () => {
      while (allBackAt === null && performance.now() - answeringAt < timeoutMs) {
        const atMs = performance.now() - answeringAt;
        inFlight.push(change().then(({ ms }) => void stormWrites.push({ atMs: round(atMs), ms: round(ms) })));
        await sleep(500);
      }
    })();
    // The writes made during the drop were held by the reload; the storm's own writes start at once, beside them.
    const duringDropWrites = await duringDrop;
    const target = Math.max(...duringDropWrites.map((c) => c.version));
    const caughtUp = () => clients.filter((c) => c.open && c.state.version >= target).length;
    await waitUntil(() => caughtUp() === clientCount, timeoutMs, 20);
    allBackAt = caughtUp() === clientCount ? performance.now() : null;
    const caughtUpAtEnd = caughtUp();
    await writer;
    await Promise.all(inFlight);
    const attempts = clients.map((c) => c.attempts);
    const { version: last } = await change();
    await waitUntil(() => clients.every((c) => c.state.version >= last), 10_000);

    console.log(
      JSON.stringify({
        bench: 'reconnect',
        clients: clientCount,
        per_link: perLink,
        reload_ms: round(answeringAt - droppedAt),
        all_caught_up_ms: allBackAt === null ? null : round(allBackAt - answeringAt),
        caught_up: caughtUpAtEnd,
        attempts_per_client: round(attempts.reduce((a, b) => a + b, 0) / clientCount, 2),
        attempts_max: Math.max(...attempts),
        upgrade_5xx: counts.upgrade5xx,
        upgrade_refused_4xx: counts.upgradeRefused,
        read_5xx: counts.read5xx,
        write_5xx: counts.write5xx,
        storm_writes: stormWrites.length,
        write_p50_ms: round(
          percentile(
            stormWrites.map((w) => w.ms),
            50,
          ),
        ),
        write_p99_ms: round(
          percentile(
            stormWrites.map((w) => w.ms),
            99,
          ),
        ),
        write_max_ms: round(Math.max(...stormWrites.map((w) => w.ms))),
        // Sent while the Worker reloaded: wrangler holds them until the new Worker answers, then they meet the storm.
        writes_during_drop_ms: duringDropWrites.map((w) => round(w.ms)),
        writes_during_drop_after_answer_ms: duringDropWrites.map((w) => round(w.ms - (answeringAt - w.startedAt))),
        storm_writes_timeline: stormWrites.sort((a, b) => a.atMs - b.atMs).map((w) => [w.atMs, w.ms]),
        missed_last_change: clients.filter((c) => c.state.version < last).length,
        baseline_upgrades_per_s: baselineUps,
        baseline_floor_ms: round((clientCount / baselineUps) * 1000),
        baseline_storm_bare_request_ms: baseline.requestMs,
        loadavg: loadavg().map((l) => round(l, 2)),
      }),
    );
  } catch (error) {
    note(`failed; the stack's log is in ${join(dataDir, 'wrangler.log')}`);
    process.exitCode = 1;
    throw error;
  } finally {
    for (const c of clients) c.socket?.close();
    await stack.stop();
    if (!process.exitCode && !args.has('keep')) await rm(dataDir, { recursive: true, force: true }).catch(() => {});
  }
}
