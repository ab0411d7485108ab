/**
 * `npm run bench -- read-decode [--rounds 4] [--reads 200] [--slots 280]`
 *
 * What reading rows costs the Worker's own code, apart from the runtime: the portal's calendar read (one batch:
 * the link and the slots, `calendar/portal-view.ts`) run in this Node process against the stack's database,
 * through the database handle as the Worker builds it (drizzle over the retry layer), once with reads answered as
 * array rows (`worker/db-http.ts`, what `getDb` does) and once through the libSQL client alone (what it
 * did before). The two alternate `rounds` times, `reads` reads each; this process's CPU time per read is the
 * client side only (the database server is another process). Prints one JSON line.
 */
import { createClient } from '@libsql/client/web';
import { drizzle } from 'drizzle-orm/libsql/web';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startStack } from '../scripts/stack.ts';
import { portalCalendar } from '../worker/calendar/portal-view.ts';
import { databaseClient } from '../worker/db-http.ts';
import { withRetries } from '../worker/db-retry.ts';
import { portalFixture } from './portal-fixture.ts';
import { note, round } from './stats.ts';

export async function main(args: Map<string, string>): Promise<void> {
  const rounds = Number(args.get('rounds') ?? 4);
  const reads = Number(args.get('reads') ?? 200);
  const slotCount = Number(args.get('slots') ?? 280);
  const loadBefore = loadavg();
  const dataDir = await mkdtemp(join(tmpdir(), 'slotcast-bench-'));
  const stack = await startStack({ dataDir, fresh: true, quiet: true, port: await freePort() });
  try {
    note(`arranging ${slotCount} slots`);
    const { tokens } = await portalFixture(stack.appUrl, stack.dbUrl, { slots: slotCount, students: 1 });
    const token = tokens[0]!;
    const handles = {
      arrays: () => drizzle({ client: withRetries(databaseClient(stack.dbUrl, undefined)) }),
      client: () => drizzle(withRetries(createClient({ url: stack.dbUrl }))),
    };
    const range = { from: Date.now(), to: Date.now() + 730 * 86_400_000 };
    const read = async (handle: keyof typeof handles) => {
      const { slots } = await portalCalendar(handles[handle](), token, range, Date.now(), ['active']);
      if (slots.length !== slotCount) throw new Error(`${handle}: ${slots.length} slots, expected ${slotCount}`);
      return slots;
    };
    // Both give the same answer.
    if (JSON.stringify(await read('arrays')) !== JSON.stringify(await read('client')))
      throw new Error('array rows and the client read different calendars');
    const cpuMs: Record<keyof typeof handles, number[]> = { arrays: [], client: [] };
    for (let r = 0; r < rounds; r++) {
      for (const handle of r % 2 === 0 ? (['client', 'arrays'] as const) : (['arrays', 'client'] as const)) {
        for (let i = 0; i < 10; i++) await read(handle);
        const before = process.cpuUsage();
        for (let i = 0; i < reads; i++) await read(handle);
        const used = process.cpuUsage(before);
        cpuMs[handle].push((used.user + used.system) / 1000 / reads);
        note(`round ${r + 1}, ${handle}: ${round(cpuMs[handle].at(-1)!, 3)} ms CPU per read`);
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(
      JSON.stringify({
        bench: 'read-decode',
        slots: slotCount,
        reads_per_round: reads,
        client_cpu_ms_per_read: cpuMs.client.map((x) => round(x, 3)),
        arrays_cpu_ms_per_read: cpuMs.arrays.map((x) => round(x, 3)),
        client_mean_ms: round(mean(cpuMs.client), 3),
        arrays_mean_ms: round(mean(cpuMs.arrays), 3),
        loadavg_before: loadBefore.map((l) => round(l, 2)),
        loadavg: loadavg().map((l) => round(l, 2)),
      }),
    );
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true }).catch(() => {});
  }
}
