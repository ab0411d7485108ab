/**
 * `npm run bench -- calendar-read [--slots 500] [--concurrency 16] [--seconds 20] [--phases 4]`
 *
 * The portal's calendar request (GET /api/booking/:token/calendar for the whole range holding the slots) for a
 * teacher with 500 slots, under concurrent load on loopback. In the same run, the single SQL query behind it
 * goes straight to the database at the same concurrency: the ceiling to compare against. The two alternate in
 * `phases` rounds of `seconds / phases` each. Prints one JSON line.
 */
import { createClient } from '@libsql/client';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startStack } from '../scripts/stack.ts';
import { portalFixture } from './portal-fixture.ts';
import { note, percentile, round } from './stats.ts';

/** Runs `task` from `concurrency` loops for `seconds`; returns per-request latencies and the rate. */
async function load(task: (i: number) => Promise<void>, concurrency: number, seconds: number) {
  const latencies: number[] = [];
  let failures = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const t = performance.now();
        try {
          await task(worker * 1_000_000 + i);
          latencies.push(performance.now() - t);
        } catch {
          failures++;
        }
      }
    }),
  );
  return { latencies, failures, elapsed: (performance.now() - started) / 1000 };
}

/** One figure from several phases of the same kind. */
function combine(phases: Awaited<ReturnType<typeof load>>[]) {
  const latencies = phases.flatMap((p) => p.latencies);
  const elapsed = phases.reduce((sum, p) => sum + p.elapsed, 0);
  return {
    rps: round(latencies.length / elapsed),
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    requests: latencies.length,
    failures: phases.reduce((sum, p) => sum + p.failures, 0),
  };
}

export async function main(args: Map<string, string>): Promise<void> {
  const slots = Number(args.get('slots') ?? 500);
  const concurrency = Number(args.get('concurrency') ?? 16);
  const seconds = Number(args.get('seconds') ?? 20);
  const dataDir = await mkdtemp(join(tmpdir(), 'slotcast-bench-'));
  const stack = await startStack({ dataDir, fresh: true, quiet: true, port: await freePort() });
  const loadBefore = loadavg();
  try {
    note(`arranging ${slots} slots`);
    const { teacher, tokens } = await portalFixture(stack.appUrl, stack.dbUrl, { slots, students: 64 });
    const from = Date.now();
    const to = from + 62 * 86_400_000;
    const url = (i: number) =>
      `${stack.appUrl}/api/booking/${tokens[i % tokens.length]}/calendar?from=${from}&to=${to}`;
    const check = await fetch(url(0), { headers: { 'cf-connecting-ip': '2001:db8:2::1' } });
    const body = (await check.json()) as { slots: unknown[] };
    if (check.status !== 200) throw new Error(`calendar read failed: ${check.status}`);
    note(`the calendar answers ${body.slots.length} slots; loading for ${seconds}s at concurrency ${concurrency}`);
    // Distinct client addresses and links, so the portal's rate limits (per IP, per link) don't cap a load test.
    const apiRead = async (i: number) => {
      const response = await fetch(url(i), {
        headers: { 'cf-connecting-ip': `2001:db8:3::${(i % 60000).toString(16)}` },
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(String(response.status));
    };
    const db = createClient({ url: stack.dbUrl });
    const sql = `SELECT s.*, b.student_id FROM slots s LEFT JOIN bookings b ON b.slot_id = s.id AND b.status = 'scheduled'
      WHERE s.teacher_id = ? AND s.starts_at >= ? AND s.starts_at < ? AND s.ends_at > ? AND s.status <> 'canceled' ORDER BY s.starts_at`;
    const sqlRead = async () => {
      await db.execute({ sql, args: [teacher.id, from - 12 * 3_600_000, to, from] });
    };
    // The two alternate in short phases, so a change in the machine's load falls on both alike.
    const phases = Number(args.get('phases') ?? 4);
    const apiPhases: Awaited<ReturnType<typeof load>>[] = [];
    const sqlPhases: Awaited<ReturnType<typeof load>>[] = [];
    for (let phase = 0; phase < phases; phase++) {
      apiPhases.push(await load(apiRead, concurrency, seconds / phases));
      sqlPhases.push(await load(sqlRead, concurrency, seconds / phases));
    }
    const api = combine(apiPhases);
    const direct = combine(sqlPhases);
    db.close();
    console.log(
      JSON.stringify({
        bench: 'calendar-read',
        slots: body.slots.length,
        concurrency,
        seconds,
        phases,
        rps: api.rps,
        p50_ms: api.p50,
        p99_ms: api.p99,
        failures: api.failures,
        sql_rps: direct.rps,
        sql_p50_ms: direct.p50,
        sql_p99_ms: direct.p99,
        ratio_rps: round(api.rps / direct.rps, 2),
        loadavg_before: loadBefore.map((v) => round(v, 2)),
        loadavg_after: loadavg().map((v) => round(v, 2)),
      }),
    );
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
