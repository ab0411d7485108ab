/**
 * What every screenshot script starts with: the output folder (the first argument, default docs/screens) and a
 * fresh local stack with its own database (SLOTCAST_SKIP_BUILD=1 reuses web/build).
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import * as schema from '../../db/schema.ts';
import { freePort, ROOT, startStack } from '../stack.ts';

export async function screensSetup({ testClock = false }: { testClock?: boolean } = {}) {
  const outDir = resolve(process.argv[2] ?? join(ROOT, 'docs', 'screens'));
  mkdirSync(outDir, { recursive: true });
  const stack = await startStack({
    dataDir: mkdtempSync(join(tmpdir(), 'slotcast-screens-')),
    fresh: true,
    quiet: true,
    port: await freePort(),
    build: process.env.SLOTCAST_SKIP_BUILD !== '1',
    ...(testClock ? { testClock: true } : {}),
  });
  const database = drizzle(createClient({ url: stack.dbUrl }), { schema });
  return { outDir, stack, database };
}
