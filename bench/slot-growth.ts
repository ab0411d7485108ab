/**
 * `npm run bench -- slot-growth [--existing 10000] [--rounds 9]`
 *
 * Does creating slots get slower as a calendar fills? Two teachers in one run: one with an empty calendar, one
 * whose calendar already holds `existing` slots (inserted straight into the database, packed half-hourly
 * from tomorrow on). Each round creates "a month of weekly slots" for each teacher through the API
 * (POST /api/teacher/slots/recurring: every day of the week at one time, for four weeks, placed after all the
 * existing slots, where the overlap check has the most earlier slots to look past), alternating the two so
 * both run under the same load. Prints one JSON line: the median request time of each and their ratio.
 */
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as schema from '../db/schema.ts';
import { freePort, startStack } from '../scripts/stack.ts';
import { createTeacherSession } from '../test/support/teacher-session.ts';
import { median, note, round } from './stats.ts';

const DAY_MS = 86_400_000;
const HALF_HOUR_MS = 30 * 60_000;

/** `count` half-hour slots back to back from `start`, in one INSERT … SELECT (the triggers check each row). */
async function fillCalendar(dbUrl: string, teacherId: string, start: number, count: number): Promise<void> {
  const db = createClient({ url: dbUrl });
  try {
    await db.execute({
      sql: `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
        INSERT INTO slots (id, teacher_id, starts_at, ends_at, subject, status, created_at, updated_at)
        SELECT lower(hex(randomblob(16))), ?, ? + i * ${HALF_HOUR_MS}, ? + (i + 1) * ${HALF_HOUR_MS}, '', 'open', ?, ?
        FROM n`,
      args: [count, teacherId, start, start, Date.now(), Date.now()],
    });
  } finally {
    db.close();
  }
}

export async function main(args: Map<string, string>): Promise<void> {
  const existing = Number(args.get('existing') ?? 10_000);
  const rounds = Number(args.get('rounds') ?? 9);
  const dataDir = await mkdtemp(join(tmpdir(), 'slotcast-bench-'));
  const stack = await startStack({ dataDir, fresh: true, quiet: true, port: await freePort() });
  const loadBefore = loadavg();
  try {
    const client = createClient({ url: stack.dbUrl });
    const db = drizzle(client, { schema });
    const settings = { minNoticeMinutes: 0, bookingHorizonDays: 730, bufferMinutes: 0, timeZone: 'UTC' };
    const empty = await createTeacherSession(db, settings);
    const full = await createTeacherSession(db, settings);
    client.close();
    const tomorrow = Math.ceil(Date.now() / DAY_MS) * DAY_MS + DAY_MS;
    note(`filling one calendar with ${existing} slots`);
    await fillCalendar(stack.dbUrl, full.id, tomorrow, existing);
    // The new months start the first whole day after the filled calendar ends, the same days for both.
    const firstDay = tomorrow + Math.ceil((existing * HALF_HOUR_MS) / DAY_MS) * DAY_MS + DAY_MS;
    const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

    const createMonth = async (cookie: string, round: number): Promise<number> => {
      const body = {
        days: [1, 2, 3, 4, 5, 6, 7],
        // One hour of the day per round: a new month never overlaps an earlier round's.
        startTime: `${String(round % 24).padStart(2, '0')}:00`,
        lengthMinutes: 30,
        from: isoDay(firstDay),
        until: isoDay(firstDay + 27 * DAY_MS),
      };
      const started = performance.now();
      const response = await fetch(`${stack.appUrl}/api/teacher/slots/recurring`, {
        method: 'POST',
        headers: { origin: stack.appUrl, cookie, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await response.json()) as { slots?: unknown[] };
      const elapsed = performance.now() - started;
      if (response.status !== 201 || json.slots?.length !== 28)
        throw new Error(`creating a month failed: ${response.status} ${JSON.stringify(json).slice(0, 200)}`);
      return elapsed;
    };

    // One warm-up month each (an isolate's first request compiles and caches), not counted.
    await createMonth(empty.cookie, 0);
    await createMonth(full.cookie, 0);
    const emptyMs: number[] = [];
    const fullMs: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      // Alternate which goes first, so neither always follows the other.
      if (round % 2) {
        emptyMs.push(await createMonth(empty.cookie, round));
        fullMs.push(await createMonth(full.cookie, round));
      } else {
        fullMs.push(await createMonth(full.cookie, round));
        emptyMs.push(await createMonth(empty.cookie, round));
      }
    }
    const emptyMedian = median(emptyMs);
    const fullMedian = median(fullMs);
    console.log(
      JSON.stringify({
        bench: 'slot-growth',
        slots_per_request: 28,
        existing_slots: existing,
        rounds,
        empty_median_ms: round(emptyMedian),
        full_median_ms: round(fullMedian),
        empty_ms: emptyMs.map((v) => round(v)),
        full_ms: fullMs.map((v) => round(v)),
        ratio: round(fullMedian / emptyMedian, 2),
        loadavg_before: loadBefore.map((v) => round(v, 2)),
        loadavg_after: loadavg().map((v) => round(v, 2)),
      }),
    );
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
