/**
 * `npm run bench -- booking-race --students S --slots K`
 *
 * S students, each with their own link and client address, race at the same moment for K open slots: each
 * tries the slots in a different order until one is confirmed or all answer 409. Afterwards the database is
 * checked for double bookings. Prints one JSON line.
 */
import { createClient } from '@libsql/client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startStack } from '../scripts/stack.ts';
import { portalFixture } from './portal-fixture.ts';
import { note, percentile, round } from './stats.ts';

export async function main(args: Map<string, string>): Promise<void> {
  const studentCount = Number(args.get('students') ?? 200);
  const slotCount = Number(args.get('slots') ?? 10);
  const dataDir = await mkdtemp(join(tmpdir(), 'slotcast-bench-'));
  const stack = await startStack({ dataDir, fresh: true, quiet: true, port: await freePort() });
  try {
    note(`arranging ${slotCount} slots and ${studentCount} students with links`);
    const { slotIds, tokens, teacher } = await portalFixture(stack.appUrl, stack.dbUrl, {
      slots: slotCount,
      students: studentCount,
    });
    let attempts = 0;
    let conflicts = 0;
    let errors = 0;
    const transportErrors: string[] = [];
    const latencies: number[] = [];
    const confirmedBy = new Map<string, string>();
    const race = async (token: string, index: number) => {
      // Every student starts on a different slot, as people scanning one week would.
      const order = slotIds.map((_, i) => slotIds[(i + index) % slotIds.length]!);
      const ip = `2001:db8:1::${index.toString(16)}`;
      for (const slotId of order) {
        attempts++;
        const started = performance.now();
        let response: Response;
        try {
          response = await fetch(`${stack.appUrl}/api/booking/${token}/book`, {
            method: 'POST',
            headers: { origin: stack.appUrl, 'content-type': 'application/json', 'cf-connecting-ip': ip },
            body: JSON.stringify({ slotId }),
          });
          await response.arrayBuffer();
        } catch (error) {
          // A request that got no answer is an error the student saw, not a reason to stop the race.
          errors++;
          transportErrors.push(describe(error));
          return;
        }
        latencies.push(performance.now() - started);
        if (response.status === 201) {
          confirmedBy.set(token, slotId);
          return;
        }
        if (response.status === 409) conflicts++;
        else errors++;
      }
    };
    note(`racing`);
    await Promise.all(tokens.map((token, i) => race(token, i)));
    const db = createClient({ url: stack.dbUrl });
    const rows = await db.execute({
      sql: "SELECT slot_id, count(*) AS n FROM bookings WHERE teacher_id = ? AND status = 'scheduled' GROUP BY slot_id",
      args: [teacher.id],
    });
    const booked = await db.execute({
      sql: "SELECT count(*) AS n FROM slots WHERE teacher_id = ? AND status = 'booked'",
      args: [teacher.id],
    });
    db.close();
    for (const error of new Set(transportErrors)) note(`no answer: ${error}`);
    const doubleBooked = rows.rows.filter((r) => Number(r.n) > 1).length;
    console.log(
      JSON.stringify({
        bench: 'booking-race',
        students: studentCount,
        slots: slotCount,
        attempts,
        confirmed: confirmedBy.size,
        conflicts,
        errors,
        transport_errors: transportErrors.length,
        double_booked: doubleBooked,
        slots_marked_booked: Number(booked.rows[0]!.n),
        p50_ms: round(percentile(latencies, 50)),
        p99_ms: round(percentile(latencies, 99)),
      }),
    );
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e && parts.length < 3; e = (e as { cause?: unknown }).cause)
    parts.push(e instanceof Error ? e.message : String(e));
  return parts.join(' ← ');
}
