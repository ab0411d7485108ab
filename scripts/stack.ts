/**
 * The whole local app in one call, used by `npm run dev`, the tests and the benchmarks: the libSQL dev
 * server (migrated, optionally seeded), the SMTP sink with its dev mailbox, the built web app and
 * `wrangler dev` running the Worker in workerd.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLibsqlServer } from '../db/server/index.ts';
import { migrate } from '../db/migrate.ts';
import { seed } from '../db/seed.ts';
import { startMailbox } from './mailbox/index.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface StackOptions {
  dataDir: string;
  port?: number;
  fresh?: boolean;
  seed?: boolean;
  /** true: always build the web app; false: never; default: only when web/build is missing. */
  build?: boolean;
  /** Don't echo wrangler's output (it still goes to <dataDir>/wrangler.log). */
  quiet?: boolean;
  extraVars?: Record<string, string>;
  /** wrangler's log level; 'log' also shows the Worker's console.log lines and wrangler's request lines. */
  logLevel?: 'warn' | 'info' | 'log' | 'debug';
}

export interface Stack {
  appUrl: string;
  mailboxUrl: string;
  dbUrl: string;
  smtpPort: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** A stable per-data-dir secret, so sessions and sealed data survive a restart of `npm run dev`. */
function secretKey(dataDir: string): string {
  const file = join(dataDir, 'secret-key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

export function buildWeb(): void {
  const vite = join(ROOT, 'node_modules', '.bin', 'vite');
  // Run from web/ so SvelteKit finds its config there; with this Node, which SvelteKit's prerender fork reuses.
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: join(ROOT, 'web'), stdio: 'inherit' });
  if (result.status !== 0) throw new Error('Building the web app failed (npm run build).');
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const dataDir = resolve(options.dataDir);
  if (options.fresh) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  };
  try {
    const db = await startLibsqlServer({ file: join(dataDir, 'slotcast.db'), port: Number(process.env.DB_PORT ?? 0) });
    cleanups.push(() => db.close());
    await migrate(db.url);
    if (options.seed) await seed(db.url);

    const mailbox = await startMailbox({ dataDir, smtpPort: Number(process.env.SMTP_PORT ?? 0), httpPort: Number(process.env.MAILBOX_PORT ?? 0) });
    cleanups.push(() => mailbox.close());

    const buildDir = join(ROOT, 'web', 'build');
    if (options.build === true || (options.build === undefined && !existsSync(join(buildDir, 'index.html')))) buildWeb();
    mkdirSync(buildDir, { recursive: true });

    const port = options.port ?? Number(process.env.PORT ?? 8787);
    const appUrl = `http://127.0.0.1:${port}`;
    const vars: Record<string, string> = {
      APP_URL: appUrl,
      DATABASE_URL: db.url,
      SECRET_KEY: secretKey(dataDir),
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(mailbox.smtpPort),
      EMAIL_PROVIDER: 'smtp',
      ...options.extraVars,
    };
    const wrangler = startWrangler(port, dataDir, vars, options.quiet ?? false, options.logLevel ?? (process.env.SLOTCAST_LOG_LEVEL as StackOptions['logLevel']) ?? 'warn');
    cleanups.push(() => stopProcessGroup(wrangler));
    await waitForHealth(appUrl, wrangler, join(dataDir, 'wrangler.log'));
    return { appUrl, mailboxUrl: mailbox.url, dbUrl: db.url, smtpPort: mailbox.smtpPort, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function startWrangler(port: number, dataDir: string, vars: Record<string, string>, quiet: boolean, logLevel: string): ChildProcess {
  const args = [
    join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js'), 'dev',
    '--ip', '127.0.0.1', '--port', String(port),
    '--persist-to', join(dataDir, 'wrangler'),
    '--test-scheduled', '--show-interactive-dev-session=false',
    // Below warn, wrangler prints every request path unmasked next to the Worker's own (masked) lines.
    '--log-level', logLevel,
    ...Object.entries(vars).flatMap(([key, value]) => ['--var', `${key}:${value}`]),
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', NO_UPDATE_NOTIFIER: '1', FORCE_COLOR: '0' },
  });
  const log = createWriteStream(join(dataDir, 'wrangler.log'), { flags: 'a' });
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.pipe(log, { end: false });
    if (!quiet) stream.pipe(process.stderr, { end: false });
  }
  return child;
}

async function waitForHealth(appUrl: string, child: ChildProcess, logFile: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(`${appUrl}/api/health`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : '(no log)';
  throw new Error(`wrangler dev did not become healthy at ${appUrl}. Last lines of ${logFile}:\n${tail}`);
}

async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Gone.
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}
