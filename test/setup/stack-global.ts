/**
 * Global setup for the integration and end-to-end projects: one real stack (libSQL dev server, dev mailbox,
 * wrangler dev with the freshly built web app) on free ports with a fresh data dir, shared by both projects
 * and started only when one of them has tests to run. Set SLOTCAST_SKIP_BUILD=1 to reuse web/build, and
 * SLOTCAST_KEEP_DATA=1 to keep the data dir (its wrangler.log) after the run.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, startStack, type Stack } from '../../scripts/stack.ts';
import { TEST_OPERATOR_TOKEN } from '../support/operator.ts';
import { TEST_RESEND_WEBHOOK_SECRET } from '../support/webhooks.ts';

// Each project loads this file in its own module runner, so the shared state lives on globalThis.
const SHARED = Symbol.for('slotcast.test-stack');
type Shared = { stack: Promise<{ stack: Stack; dataDir: string }>; users: number };
const registry = globalThis as typeof globalThis & { [SHARED]?: Shared };

async function start(): Promise<{ stack: Stack; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'slotcast-test-'));
  const stack = await startStack({
    dataDir,
    port: await freePort(),
    quiet: true,
    build: process.env.SLOTCAST_SKIP_BUILD !== '1',
    // Everything the Worker and wrangler print, so test/log-audit searches the most there is to search.
    logLevel: 'log',
    // Tests may set the Worker's time per request with X-Slotcast-Now (worker/clock.ts).
    testClock: true,
    // A short heartbeat so the "missed publish" test needn't wait 30 s.
    // Resend's webhook signing secret (a test value), so test/integration/email-problems.test.ts can sign events.
    // The operator's token, so test/integration/health.test.ts can read the whole app's health.
    extraVars: {
      LIVE_HEARTBEAT_MS: '1500',
      RESEND_WEBHOOK_SECRET: TEST_RESEND_WEBHOOK_SECRET,
      OPERATOR_TOKEN: TEST_OPERATOR_TOKEN,
    },
    // test/integration/oauth.test.ts breaks the demo school on purpose (down, forged tokens).
    school: { testControls: true },
  });
  // A run stopped with Ctrl-C skips the teardown; don't leave the data dir behind then either.
  if (!process.env.SLOTCAST_KEEP_DATA) process.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  return { stack, dataDir };
}

export default async function setup(project: TestProject) {
  const shared = (registry[SHARED] ??= { stack: start(), users: 0 });
  shared.users++;
  let started: { stack: Stack; dataDir: string };
  try {
    started = await shared.stack;
  } catch (error) {
    shared.users--;
    throw error;
  }
  const { stack, dataDir } = started;
  project.provide('appUrl', stack.appUrl);
  project.provide('mailboxUrl', stack.mailboxUrl);
  project.provide('dbUrl', stack.dbUrl);
  project.provide('dataDir', dataDir);
  project.provide('schoolUrl', stack.schoolUrl ?? '');
  return async () => {
    if (--shared.users > 0) return;
    delete registry[SHARED];
    await stack.stop();
    if (process.env.SLOTCAST_KEEP_DATA) console.log(`Stack data kept in ${dataDir}`);
    else await rm(dataDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  interface ProvidedContext {
    appUrl: string;
    mailboxUrl: string;
    dbUrl: string;
    dataDir: string;
    schoolUrl: string;
  }
}
