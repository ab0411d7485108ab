/**
 * A stack of a test file's own, for what is configuration rather than data: an email provider, an https
 * APP_URL, a stack not started for tests. No web build (these tests use the API), its own data dir (kept with
 * SLOTCAST_KEEP_DATA=1), and a database handle on it.
 */
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as schema from '../../db/schema.ts';
import { freePort, startStack, type StackOptions } from '../../scripts/stack.ts';

export async function startOwnStack(
  extraVars: Record<string, string> = {},
  options: Pick<StackOptions, 'logLevel' | 'testClock'> = {},
) {
  const dataDir = await mkdtemp(join(tmpdir(), 'slotcast-own-'));
  try {
    const stack = await startStack({
      dataDir,
      port: await freePort(),
      quiet: true,
      build: false,
      extraVars,
      ...options,
    });
    return { stack, db: drizzle(createClient({ url: stack.dbUrl }), { schema }), dataDir };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

export type OwnStack = Awaited<ReturnType<typeof startOwnStack>>;

export async function stopOwnStack(started: OwnStack | undefined): Promise<void> {
  if (!started) return;
  await started.stack.stop();
  if (!process.env.SLOTCAST_KEEP_DATA) await rm(started.dataDir, { recursive: true, force: true });
}
