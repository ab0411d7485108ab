/**
 * `npm run bench -- cpu [--requests 100] [--watchers 100] [--events 20] [--students 40]`
 *
 * The Worker process's CPU time per request on each hot path, from workerd's own counters (/proc utime + stime,
 * bench/workerd-cpu.ts) over many sequential requests, with `GET /api/health` as the baseline in the same run.
 * Each hot path is measured in five rounds, each next to a round of as many health requests, and its figure
 * above the baseline is the median of the five rounds' differences (`rounds_worker_above_ms` lists them); health
 * measured first and last gives the baseline itself and the figure for the rest. Each measurement waits until
 * workerd is quiet again, so the work a request leaves behind (waitUntil, the email the queue consumer sends)
 * counts with it. Prints one JSON line: per path the ms of CPU per request, the same above the baseline, and
 * whether it stays under the 10 ms a Worker request may use on the free plan and, in the Worker's runtime, under
 * the 5 ms-above-baseline goal. Book and cancel are
 * measured in two parts, as Cloudflare runs them: the request (`book_request`), and the queue consumer's delivery
 * of the emails it queued (`book_email`, per request: the warm-up's emails are counted and divided in), and
 * `book` is their sum, as earlier runs of this bench measured it. `elimination.booking_plumbing_alone` is a
 * booking's calls to the runtime (two rate-limit checks, two round trips, a queue send, an object call) made in
 * one request without any of Slotcast's code, measured like the paths: the floor under a booking's and a
 * cancellation's request on this runtime. `cpu_ms` counts both
 * workerd processes `wrangler dev` runs (the Worker's runtime and wrangler's proxy in front of it, which
 * production doesn't have); `worker_ms` counts the Worker's runtime alone.
 */
import { createClient } from '@libsql/client';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { freePort, startStack } from '../scripts/stack.ts';
import { portalFixture } from './portal-fixture.ts';
import { note, round } from './stats.ts';
import { cpuMsOf, findWorkerdPids, isWorkerRuntime, settle, tickMs } from './workerd-cpu.ts';

const CPU_LIMIT_MS = 10;
const GOAL_ABOVE_BASELINE_MS = 5;
const DAY_MS = 86_400_000;

interface Measured {
  cpuMs: number;
  workerMs: number;
  wallMs: number;
  /**
   * Measured in rounds, each next to a round of health requests of its own: per round the path's ms above its
   * health round, and their medians. The machine's speed drifts during a run (health first and last have
   * differed by 1.5 ms); a baseline taken next to each round cancels the drift, and the median drops a round a
   * burst of background work fell into.
   */
  paired?: { workerAboveMs: number; cpuAboveMs: number; roundsWorkerAboveMs: number[] };
}

/** Rounds a paired measurement is split into. */
const ROUNDS = 5;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

let ipCounter = 0;
/** A fresh client address per request: the per-address limits are not what this measures. */
const nextIp = () => `2001:db8:c::${(++ipCounter).toString(16)}`;

export async function main(args: Map<string, string>): Promise<void> {
  const requests = Number(args.get('requests') ?? 100);
  const watcherCount = Number(args.get('watchers') ?? 100);
  const events = Number(args.get('events') ?? 20);
  const studentCount = Number(args.get('students') ?? 40);
  const warmup = 5;
  const loadBefore = loadavg();
  const dataDir = await mkdtemp(join(tmpdir(), 'slotcast-bench-'));
  // The bench Worker (worker/bench/index.ts): the app as deployed, plus bare probes of the runtime's own costs.
  const stack = await startStack({ dataDir, fresh: true, quiet: true, port: await freePort(), bench: true });
  const app = stack.appUrl;
  try {
    const pids = findWorkerdPids();
    if (pids.length === 0) throw new Error('No workerd process found below this benchmark.');
    const workerPids = pids.filter(isWorkerRuntime);
    note(
      `workerd pids ${pids.join(', ')} (the Worker's: ${workerPids.join(', ')}); arranging ${requests + warmup} slots and ${studentCount} students`,
    );
    const { slotIds, tokens, teacher } = await portalFixture(app, stack.dbUrl, {
      slots: requests + warmup,
      students: studentCount,
    });
    const teacherHeaders = { origin: app, cookie: teacher.cookie, 'content-type': 'application/json' };
    const linkOf = (i: number) => tokens[i % tokens.length]!;

    const call = async (path: string, init: RequestInit = {}, expect = 200) => {
      const response = await fetch(app + path, init);
      const body = await response.text();
      if (response.status !== expect)
        throw new Error(`${path.replace(/[a-z2-7]{20,}/, '…')}: ${response.status} ${body}`);
      return body;
    };
    const portalPost = (path: string, body: unknown, expect: number) =>
      call(
        path,
        {
          method: 'POST',
          headers: { origin: app, 'content-type': 'application/json', 'cf-connecting-ip': nextIp() },
          body: JSON.stringify(body),
        },
        expect,
      );

    /** CPU ms per request of `run(i)` for i in [from, to), sequentially, from settled to settled. */
    const window = async (from: number, to: number, run: (i: number) => Promise<unknown>) => {
      await settle(pids);
      const before = cpuMsOf(pids);
      const workerBefore = cpuMsOf(workerPids);
      const started = performance.now();
      for (let i = from; i < to; i++) await run(i);
      const wallMs = performance.now() - started;
      await settle(pids);
      const n = to - from;
      return {
        cpuMs: (cpuMsOf(pids) - before) / n,
        workerMs: (cpuMsOf(workerPids) - workerBefore) / n,
        wallMs: wallMs / n,
      };
    };
    const health = () => call('/api/health');

    /**
     * CPU ms per request of `run(i)` over `count` sequential calls, after `warmup` uncounted ones; `paired`: in
     * ROUNDS rounds, each after a round of as many health requests (Measured.paired).
     */
    const measure = async (
      what: string,
      count: number,
      run: (i: number) => Promise<unknown>,
      { paired = false } = {},
    ): Promise<Measured> => {
      for (let i = 0; i < warmup; i++) await run(count + i);
      const rounds = paired ? ROUNDS : 1;
      const parts: { path: Measured; health?: Measured; n: number }[] = [];
      for (let r = 0; r < rounds; r++) {
        const [from, to] = [Math.floor((r * count) / rounds), Math.floor(((r + 1) * count) / rounds)];
        const baseline = paired ? await window(from, to, health) : undefined;
        parts.push({ path: await window(from, to, run), health: baseline, n: to - from });
      }
      const mean = (pick: (m: Measured) => number) => parts.reduce((sum, p) => sum + pick(p.path) * p.n, 0) / count;
      const measured: Measured = {
        cpuMs: mean((m) => m.cpuMs),
        workerMs: mean((m) => m.workerMs),
        wallMs: mean((m) => m.wallMs),
      };
      if (paired) {
        const roundsWorkerAboveMs = parts.map((p) => p.path.workerMs - p.health!.workerMs);
        measured.paired = {
          workerAboveMs: median(roundsWorkerAboveMs),
          cpuAboveMs: median(parts.map((p) => p.path.cpuMs - p.health!.cpuMs)),
          roundsWorkerAboveMs,
        };
      }
      note(
        `${what}: ${round(measured.cpuMs, 2)} ms CPU per request, ${round(measured.workerMs, 2)} in the Worker's runtime (${round(measured.wallMs, 1)} ms wall)` +
          (measured.paired
            ? `; above health, round by round: ${measured.paired.roundsWorkerAboveMs.map((v) => round(v, 1)).join(', ')}`
            : ''),
      );
      return measured;
    };

    const baselineFirst = await measure('health', requests, health);

    // The runtime's own costs, without Slotcast: what any Worker pays locally for an answer, a database round
    // trip as a bare HTTP request, a rate-limit check, a log line, a queue send, a call to a Durable Object
    // (worker/bench/index.ts).
    const bare = (what: string) => () => call(`/api/bench/bare/${what}`);
    const runtimeEmpty = await measure('runtime: empty answer', requests, bare('empty'));
    const runtimeQuery = await measure('runtime: one bare database round trip', requests, bare('query'));
    const runtimeLibsql = await measure('one round trip through the libSQL client', requests, bare('libsql'));
    const runtimeDrizzle = await measure('one round trip through getDb (drizzle, retries)', requests, bare('drizzle'));
    const runtimeLimit = await measure('runtime: one rate-limit check', requests, bare('rate-limit'));
    const runtimeLog = await measure('runtime: one log line', requests, bare('log'));
    const runtimeQueue = await measure('runtime: one queue sendBatch of one message', requests, bare('queue-send'));
    const runtimeObject = await measure('runtime: one RPC call to a Durable Object', requests, bare('object-call'));
    // A booking's runtime calls in one request, with none of Slotcast's code, next to health like the paths:
    // the floor under any booking's and cancellation's request on this runtime.
    const bookingPlumbing = await measure(
      "runtime: a booking's calls alone (2 rate-limit checks, 2 round trips, a queue send, an object call)",
      requests,
      bare('booking-plumbing'),
      { paired: true },
    );

    // Each read's ticket is kept: the ticket upgrades below use them, as a client coming back after a deploy does.
    const tickets = new Map<string, string>();
    const portalRead = await measure(
      'portal calendar read',
      requests,
      async (i) => {
        const body = await call(`/api/booking/${linkOf(i)}/calendar`, { headers: { 'cf-connecting-ip': nextIp() } });
        const ticket = (JSON.parse(body) as { ticket?: { value: string } }).ticket;
        if (ticket) tickets.set(linkOf(i), ticket.value);
      },
      { paired: true },
    );

    // Elimination: the same route refused before any database work (a malformed token: routing, validation,
    // both rate limits, the 404), and refused after one round trip (a well-formed token no link has). A token
    // per request, as addresses are: one token's budget (a minute's worth) is not what this measures.
    const noDatabase = await measure(
      'portal read refused before the database',
      requests,
      (i) => call(`/api/booking/not-a-token-${i}/calendar`, { headers: { 'cf-connecting-ip': nextIp() } }, 404),
      { paired: true },
    );
    const oneRoundTrip = await measure(
      'portal read refused after one round trip',
      requests,
      () =>
        call(
          `/api/booking/${encodeBase32LowerCaseNoPadding(randomBytes(20))}/calendar`,
          {
            headers: { 'cf-connecting-ip': nextIp() },
          },
          404,
        ),
      { paired: true },
    );

    const from = Date.now();
    const teacherRead = await measure(
      'teacher calendar read',
      requests,
      () => call(`/api/teacher/calendar?from=${from}&to=${from + 14 * DAY_MS}`, { headers: teacherHeaders }),
      { paired: true },
    );

    // A booking's request and the email the queue consumer sends for it are two invocations on Cloudflare, each
    // with its own CPU limit: each is measured apart. While the requests run, the bench Worker's queue sends
    // the outbox's messages an hour late (worker/bench/index.ts), so no consumer runs among them; then the
    // release puts the queued rows on the queue at once and their delivery is measured until the outbox has
    // nothing left to send.
    const outbox = createClient({ url: stack.dbUrl });
    const measureHeldEmail = async (what: string, count: number) => {
      await settle(pids);
      const before = cpuMsOf(pids);
      const workerBefore = cpuMsOf(workerPids);
      const started = performance.now();
      await call('/api/bench/email/release');
      const deadline = Date.now() + 120_000;
      for (;;) {
        const { rows } = await outbox.execute(
          "SELECT count(*) AS pending FROM email_outbox WHERE status IN ('queued', 'sending')",
        );
        if (Number(rows[0]!.pending) === 0) break;
        if (Date.now() > deadline) throw new Error(`${what}: the held emails were not all sent within 120 s`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const wallMs = performance.now() - started;
      await settle(pids);
      const cpuMs = cpuMsOf(pids) - before;
      const workerMs = cpuMsOf(workerPids) - workerBefore;
      note(
        `${what}: ${round(cpuMs / count, 2)} ms CPU per request, ${round(workerMs / count, 2)} in the Worker's runtime`,
      );
      return { cpuMs: cpuMs / count, workerMs: workerMs / count, wallMs: wallMs / count };
    };
    /** A request and the email it queued: the email's whole CPU comes on top of the request's. */
    const sum = (a: Measured, b: Measured): Measured => ({
      cpuMs: a.cpuMs + b.cpuMs,
      workerMs: a.workerMs + b.workerMs,
      wallMs: a.wallMs,
      paired: a.paired && {
        workerAboveMs: a.paired.workerAboveMs + b.workerMs,
        cpuAboveMs: a.paired.cpuAboveMs + b.cpuMs,
        roundsWorkerAboveMs: a.paired.roundsWorkerAboveMs.map((v) => v + b.workerMs),
      },
    });

    // Each booking takes its own slot (warm-up ones the last slots); each is canceled in the next phase.
    const bookingIds: { token: string; id: string }[] = [];
    await call('/api/bench/email/hold');
    const bookRequest = await measure(
      'book (the request)',
      requests,
      async (i) => {
        const token = linkOf(i);
        const body = await portalPost(`/api/booking/${token}/book`, { slotId: slotIds[i]! }, 201);
        bookingIds[i] = { token, id: (JSON.parse(body) as { booking: { id: string } }).booking.id };
      },
      { paired: true },
    );
    const bookEmail = await measureHeldEmail('book: its email (the queue consumer)', requests + warmup);
    await call('/api/bench/email/hold');
    const cancelRequest = await measure(
      'cancel (the request)',
      requests,
      async (i) => {
        const booked = bookingIds[i];
        if (!booked) return; // a warm-up index: nothing of the counted run to cancel
        await portalPost(`/api/booking/${booked.token}/cancel/${booked.id}`, {}, 200);
      },
      { paired: true },
    );
    const cancelEmail = await measureHeldEmail('cancel: its emails (the queue consumer)', requests + warmup);
    outbox.close();
    const book = sum(bookRequest, bookEmail);
    const cancel = sum(cancelRequest, cancelEmail);

    // Single slots far ahead, one per request, never overlapping the fixture's or each other.
    const slotStart = (i: number) => new Date(Date.now() + (400 + i) * DAY_MS).toISOString().slice(0, 10) + 'T21:00';
    const slotCreate = await measure(
      'slot create',
      requests,
      (i) =>
        call(
          '/api/teacher/slots',
          { method: 'POST', headers: teacherHeaders, body: JSON.stringify({ start: slotStart(i), lengthMinutes: 30 }) },
          201,
        ),
      { paired: true },
    );

    // Sign-in: a magic link's token consumed, a session opened (tokens made directly, as the email would carry).
    const loginTokens = Array.from({ length: requests + warmup }, () =>
      encodeBase32LowerCaseNoPadding(randomBytes(20)),
    );
    const db = createClient({ url: stack.dbUrl });
    const now = Date.now();
    await db.batch(
      loginTokens.map((token) => ({
        sql: 'INSERT INTO login_tokens (id, token_hash, email, user_id, purpose, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        args: [
          randomUUID(),
          createHash('sha256').update(token).digest('hex'),
          teacher.email,
          teacher.id,
          'login',
          now + 15 * 60_000,
          now,
        ],
      })),
    );
    db.close();
    const signIn = await measure(
      'sign-in',
      requests,
      (i) => portalPost('/api/auth/magic-link/verify', { token: loginTokens[i]! }, 200),
      { paired: true },
    );

    const wsBase = app.replace(/^http/, 'ws');
    const openWatcher = (i: number, onMessage?: (raw: string) => void, withTicket = false) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ticket = withTicket ? tickets.get(linkOf(i)) : undefined;
        if (withTicket && !ticket) throw new Error('No ticket came with the portal read.');
        const query = ticket ? `?ticket=${encodeURIComponent(ticket)}` : '';
        const ws = new WebSocket(`${wsBase}/api/live/link/${linkOf(i)}${query}`, {
          headers: { origin: app, 'cf-connecting-ip': nextIp() },
          perMessageDeflate: false,
        });
        ws.on('message', (data) => {
          const raw = String(data);
          if (raw.startsWith('{"type":"hello"')) resolve(ws);
          onMessage?.(raw);
        });
        ws.once('error', reject);
        ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      });
    const closed = (ws: WebSocket) =>
      new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close();
        setTimeout(resolve, 2_000);
      });
    const upgrade = await measure('live upgrade', requests, async (i) => closed(await openWatcher(i)), {
      paired: true,
    });
    // What a reconnect after a deploy costs: the upgrade with the ticket the page's read gave (no database).
    // Tickets live 90 s, so each link's is read afresh first (not counted).
    for (let i = 0; i < tokens.length; i++)
      await call(`/api/booking/${linkOf(i)}/calendar`, { headers: { 'cf-connecting-ip': nextIp() } }).then((body) => {
        const ticket = (JSON.parse(body) as { ticket?: { value: string } }).ticket;
        if (ticket) tickets.set(linkOf(i), ticket.value);
      });
    const ticketUpgrade = await measure(
      'live upgrade with a ticket',
      requests,
      async (i) => closed(await openWatcher(i, undefined, true)),
      { paired: true },
    );

    // Fan-out: the same slot creates with W watchers connected; what they add, per event and watcher.
    note(`connecting ${watcherCount} watchers`);
    let received = 0;
    const watchers: WebSocket[] = [];
    for (let i = 0; i < watcherCount; i++)
      watchers.push(
        await openWatcher(i, (raw) => {
          if (raw.startsWith('{"type":"event"')) received++;
        }),
      );
    const withWatchers = await measure(`slot create with ${watcherCount} watchers`, events, async (i) => {
      const expected = received + watcherCount;
      await call(
        '/api/teacher/slots',
        {
          method: 'POST',
          headers: teacherHeaders,
          body: JSON.stringify({ start: slotStart(requests + warmup + 1 + i), lengthMinutes: 30 }),
        },
        201,
      );
      // Counted until every watcher has it: the fan-out is part of this request's cost.
      const deadline = Date.now() + 30_000;
      while (received < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    });
    await Promise.all(watchers.map(closed));

    const baselineLast = await measure('health (again)', requests, health);
    const baseline = (baselineFirst.cpuMs + baselineLast.cpuMs) / 2;
    const perWatcherMs = Math.max(0, withWatchers.cpuMs - slotCreate.cpuMs) / watcherCount;
    const workerBaseline = (baselineFirst.workerMs + baselineLast.workerMs) / 2;
    // The goal is judged on the Worker's runtime alone (wrangler's proxy is not there in production), above
    // the health requests paired with the path's own rounds where it was measured so.
    const figure = (m: Measured) => {
      const workerAbove = m.paired ? m.paired.workerAboveMs : m.workerMs - workerBaseline;
      return {
        cpu_ms: round(m.cpuMs, 2),
        worker_ms: round(m.workerMs, 2),
        worker_above_baseline_ms: round(workerAbove, 2),
        above_baseline_ms: round(m.paired ? m.paired.cpuAboveMs : m.cpuMs - baseline, 2),
        ...(m.paired && { rounds_worker_above_ms: m.paired.roundsWorkerAboveMs.map((v) => round(v, 2)) }),
        under_10ms_limit: m.cpuMs <= CPU_LIMIT_MS,
        within_goal: workerAbove <= GOAL_ABOVE_BASELINE_MS,
        wall_ms: round(m.wallMs, 1),
      };
    };
    console.log(
      JSON.stringify({
        bench: 'cpu',
        requests_per_path: requests,
        tick_ms: tickMs,
        baseline_health_cpu_ms: round(baseline, 2),
        baseline_first_last_ms: [round(baselineFirst.cpuMs, 2), round(baselineLast.cpuMs, 2)],
        baseline_health_worker_ms: round(workerBaseline, 2),
        limit_ms: CPU_LIMIT_MS,
        goal_above_baseline_ms: GOAL_ABOVE_BASELINE_MS,
        paths: {
          portal_calendar_read: figure(portalRead),
          book: figure(book),
          book_request: figure(bookRequest),
          book_email: figure(bookEmail),
          cancel: figure(cancel),
          cancel_request: figure(cancelRequest),
          cancel_email: figure(cancelEmail),
          teacher_calendar_read: figure(teacherRead),
          slot_create: figure(slotCreate),
          sign_in: figure(signIn),
          live_upgrade: figure(upgrade),
          live_upgrade_with_ticket: figure(ticketUpgrade),
        },
        elimination: {
          portal_read_refused_before_database: figure(noDatabase),
          portal_read_refused_after_one_round_trip: figure(oneRoundTrip),
          one_round_trip_cpu_ms: round(oneRoundTrip.cpuMs - noDatabase.cpuMs, 2),
          // The runtime's calls of a booking in one request, without Slotcast's code (worker/bench/index.ts),
          // and what the booking's and the cancellation's requests spend beyond them: Slotcast's own share.
          booking_plumbing_alone: figure(bookingPlumbing),
          book_request_beyond_plumbing_worker_ms: round(
            bookRequest.paired!.workerAboveMs - bookingPlumbing.paired!.workerAboveMs,
            2,
          ),
          cancel_request_beyond_plumbing_worker_ms: round(
            cancelRequest.paired!.workerAboveMs - bookingPlumbing.paired!.workerAboveMs,
            2,
          ),
        },
        runtime: {
          empty_answer: figure(runtimeEmpty),
          bare_round_trip_worker_ms: round(runtimeQuery.workerMs - runtimeEmpty.workerMs, 2),
          libsql_client_round_trip_worker_ms: round(runtimeLibsql.workerMs - runtimeEmpty.workerMs, 2),
          get_db_round_trip_worker_ms: round(runtimeDrizzle.workerMs - runtimeEmpty.workerMs, 2),
          rate_limit_check_worker_ms: round(runtimeLimit.workerMs - runtimeEmpty.workerMs, 2),
          log_line_worker_ms: round(runtimeLog.workerMs - runtimeEmpty.workerMs, 2),
          queue_send_worker_ms: round(runtimeQueue.workerMs - runtimeEmpty.workerMs, 2),
          object_call_worker_ms: round(runtimeObject.workerMs - runtimeEmpty.workerMs, 2),
          // What a booking's request spends in the runtime's plumbing alone: its 2 rate-limit checks, its 2 round
          // trips through getDb, its queue send and its publish to the calendar object, above an empty answer.
          book_plumbing_worker_ms: round(
            2 * (runtimeLimit.workerMs - runtimeEmpty.workerMs) +
              2 * (runtimeDrizzle.workerMs - runtimeEmpty.workerMs) +
              (runtimeQueue.workerMs - runtimeEmpty.workerMs) +
              (runtimeObject.workerMs - runtimeEmpty.workerMs),
            2,
          ),
        },
        fanout: {
          watchers: watcherCount,
          events,
          event_with_watchers_cpu_ms: round(withWatchers.cpuMs, 2),
          per_watcher_cpu_ms: round(perWatcherMs, 3),
          under_10ms_limit: withWatchers.cpuMs <= CPU_LIMIT_MS,
        },
        loadavg_before: loadBefore.map((l) => round(l, 2)),
        loadavg: loadavg().map((l) => round(l, 2)),
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
