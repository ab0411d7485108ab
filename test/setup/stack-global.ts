/**
 * Global setup for the integration and end-to-end tests: one real stack (libSQL dev server, SMTP sink,
 * wrangler dev with the built web app) for the whole run, on free ports, with a fresh data dir.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, startStack } from '../../scripts/stack.ts';

export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(join(tmpdir(), 'slotcast-test-'));
  const stack = await startStack({
    dataDir,
    port: await freePort(),
    quiet: true,
    build: process.env.SLOTCAST_SKIP_BUILD === '1' ? false : true,
    // A short heartbeat so the "missed publish" test needn't wait 30 s.
    extraVars: { LIVE_HEARTBEAT_MS: '1500' },
  });
  project.provide('appUrl', stack.appUrl);
  project.provide('mailboxUrl', stack.mailboxUrl);
  project.provide('dbUrl', stack.dbUrl);
  project.provide('dataDir', dataDir);
  return async () => {
    await stack.stop();
    if (!process.env.SLOTCAST_KEEP_DATA) await rm(dataDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  interface ProvidedContext {
    appUrl: string;
    mailboxUrl: string;
    dbUrl: string;
    dataDir: string;
  }
}
