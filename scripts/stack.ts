/**
 * The whole local app in one call, used by `npm run dev`, the tests and the benchmarks: the libSQL dev
 * server (migrated, optionally seeded), the SMTP sink with its dev mailbox, the built web app and
 * `wrangler dev` running the Worker in workerd. Everything listens on 127.0.0.1 only.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLibsqlServer } from '../db/server/index.ts';
import { migrate } from '../db/migrate.ts';
import { seed } from '../db/seed.ts';
import { startMailbox } from './mailbox/index.ts';
import { maskRequestLines } from './mask-request-lines.ts';
import { freePort } from './free-port.ts';
import { startSchoolProvider } from './oidc-provider/index.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface StackOptions {
  /** Holds the database, the mailbox, wrangler's local state, the secret key and wrangler.log. */
  dataDir: string;
  /** The app's port; default PORT or 8787. */
  port?: number;
  /** Delete dataDir first. */
  fresh?: boolean;
  /** Add the demo data when the database has no users yet (db/seed.ts). */
  seed?: boolean;
  /** true: always build the web app; false: never; default: when web/build is missing or older than its sources. */
  build?: boolean;
  /** Don't echo wrangler's output (it always goes to <dataDir>/wrangler.log). */
  quiet?: boolean;
  /** More `--var`s for the Worker; they win over the stack's own. */
  extraVars?: Record<string, string>;
  /** wrangler's log level; 'log' also shows the Worker's console.log lines and wrangler's request lines. */
  logLevel?: 'warn' | 'info' | 'log' | 'debug';
  /** How long to wait for GET /api/health (default 90 s). */
  healthTimeoutMs?: number;
  /**
   * A stack for tests: the Worker honours `X-Slotcast-Now` (SLOTCAST_TEST_CLOCK=1, worker/clock.ts). Never for
   * `npm run dev`: anywhere else the header is refused.
   */
  testClock?: boolean;
  /** Run the benchmark's Worker (`--env bench`: the app plus the partyserver baseline room), for bench/fanout.ts. */
  bench?: boolean;
  /** The demo school's OpenID Connect provider (scripts/oidc-provider); `testControls` lets tests break it. */
  school?: { testControls?: boolean } | false;
  /** wrangler's DevTools inspector port (bench/profile.ts takes CPU profiles through it); default: wrangler's. */
  inspectorPort?: number;
}

export { freePort };

export interface Stack {
  appUrl: string;
  mailboxUrl: string;
  dbUrl: string;
  smtpPort: number;
  dataDir: string;
  /** The demo school's issuer URL, when it runs. */
  schoolUrl: string | null;
  /** Stops wrangler (its whole process group), the mailbox and the database server. Safe to call twice. */
  stop(): Promise<void>;
}

/** Fails with a message that says what to do when something already listens on the port. */
async function ensurePortFree(port: number, what: string, envName: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolveFree, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `Port ${port} (${what}) is already in use: is another \`npm run dev\` running? Stop it, or set ${envName} to another port.`,
            )
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree()));
  });
}

/** A stable per-data-dir secret, so sessions and sealed data survive a restart of `npm run dev`. */
function secretKey(dataDir: string): string {
  const file = join(dataDir, 'secret-key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** `vite build` of web/ into web/build (what `npm run build` does). */
export function buildWeb(): void {
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  // Run from web/ so SvelteKit finds its config there; with this Node, which SvelteKit's prerender fork reuses.
  // A production build whoever calls it (vitest sets NODE_ENV=test, which would build Svelte's dev checks in):
  // the tests, benchmarks and Lighthouse measure the pages that ship.
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: join(ROOT, 'web'),
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) throw new Error('Building the web app failed (npm run build).');
}

/**
 * True when web/build is missing or older than anything it is built from: web/, the code it shares with the
 * Worker (shared/) and the lock file (a deleted file changes its folder).
 */
export function webBuildIsStale(): boolean {
  const built = join(ROOT, 'web', 'build', 'index.html');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  const skip = new Set(['build', 'node_modules', '.svelte-kit']);
  const newer = (path: string): boolean => {
    const stat = statSync(path);
    if (stat.mtimeMs > builtAt) return true;
    return stat.isDirectory() && readdirSync(path).some((name) => !skip.has(name) && newer(join(path, name)));
  };
  return ['web', 'shared', 'package-lock.json'].some((path) => newer(join(ROOT, path)));
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const dataDir = resolve(options.dataDir);
  if (options.fresh) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const port = options.port ?? Number(process.env.PORT ?? 8787);
  const say = (line: string) => options.quiet || console.error(line);

  const cleanups: (() => Promise<void>)[] = [];
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
    })();
    return stopping;
  };
  try {
    // Before anything starts: a second `npm run dev` would otherwise pass the health check of the first.
    await ensurePortFree(port, 'the app', 'PORT');

    const dbPort = Number(process.env.DB_PORT ?? 0);
    await ensurePortFree(dbPort, 'the libSQL dev server', 'DB_PORT');
    const db = await startLibsqlServer({ file: join(dataDir, 'slotcast.db'), port: dbPort });
    cleanups.push(() => db.close());
    await migrate(db.url);
    if (options.seed) {
      const { seeded } = await seed(db.url);
      if (seeded) say('Seeded the demo data.');
    }

    const smtpPort = Number(process.env.SMTP_PORT ?? 0);
    const mailboxPort = Number(process.env.MAILBOX_PORT ?? 0);
    await ensurePortFree(smtpPort, 'the dev mailbox SMTP', 'SMTP_PORT');
    await ensurePortFree(mailboxPort, 'the dev mailbox page', 'MAILBOX_PORT');
    const mailbox = await startMailbox({ dataDir, smtpPort, httpPort: mailboxPort });
    cleanups.push(() => mailbox.close());

    const buildDir = join(ROOT, 'web', 'build');
    if (options.build ?? webBuildIsStale()) {
      say('Building the web app…');
      buildWeb();
    }
    // wrangler refuses to start when the assets directory is missing.
    mkdirSync(buildDir, { recursive: true });

    const appUrl = `http://127.0.0.1:${port}`;
    const school =
      options.school === false
        ? null
        : await startSchoolProvider({
            clientId: 'slotcast',
            clientSecret: randomBytes(24).toString('base64url'),
            redirectUris: [`${appUrl}/api/auth/oauth/school/callback`],
            testControls: options.school?.testControls ?? false,
          });
    if (school) cleanups.push(() => school.close());
    const vars: Record<string, string> = {
      ...(school
        ? {
            OIDC_ISSUER: school.issuer,
            OIDC_CLIENT_ID: school.clientId,
            OIDC_CLIENT_SECRET: school.clientSecret,
            OIDC_NAME: 'Demo School',
          }
        : {}),
      APP_URL: appUrl,
      DATABASE_URL: db.url,
      SECRET_KEY: secretKey(dataDir),
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(mailbox.smtpPort),
      EMAIL_PROVIDER: 'smtp',
      ...(options.testClock ? { SLOTCAST_TEST_CLOCK: '1' } : {}),
      ...options.extraVars,
    };
    const logFile = join(dataDir, 'wrangler.log');
    const logLevel = options.logLevel ?? (process.env.SLOTCAST_LOG_LEVEL as StackOptions['logLevel']) ?? 'warn';
    const wrangler = startWrangler({
      port,
      dataDir,
      vars,
      quiet: options.quiet ?? false,
      logLevel,
      logFile,
      bench: options.bench ?? false,
      inspectorPort: options.inspectorPort,
    });
    cleanups.push(() => stopProcessGroup(wrangler));
    await waitForHealth(appUrl, wrangler, logFile, options.healthTimeoutMs ?? 90_000);
    return {
      appUrl,
      mailboxUrl: mailbox.url,
      dbUrl: db.url,
      smtpPort: mailbox.smtpPort,
      dataDir,
      schoolUrl: school?.issuer ?? null,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Variables that hold a secret: never on a command line. */
export function isSecretVar(name: string): boolean {
  return /SECRET|TOKEN|PASS|_KEY$/.test(name) && name !== 'SLOTCAST_TEST_CLOCK';
}

/**
 * The Worker's secrets as a dotenv file readable by this user alone, passed with `--env-file` (which also
 * keeps a developer's own `.dev.vars` out of the stack). Always written, even empty, so a stale file from an
 * earlier run never leaks into this one.
 */
function writeSecretsFile(dataDir: string, vars: Record<string, string>): string {
  const file = join(dataDir, 'worker-secrets.env');
  const lines = Object.entries(vars)
    .filter(([key]) => isSecretVar(key))
    .map(([key, value]) => {
      // Single quotes: dotenv takes the value literally, so only a quote or a line break could break out.
      if (/['\n\r]/.test(value)) throw new Error(`${key} can't contain a quote or a line break.`);
      return `${key}='${value}'`;
    });
  rmSync(file, { force: true });
  writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 });
  return file;
}

function startWrangler(o: {
  port: number;
  dataDir: string;
  vars: Record<string, string>;
  quiet: boolean;
  logLevel: string;
  logFile: string;
  bench: boolean;
  inspectorPort?: number;
}): ChildProcess {
  const args = [
    join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js'),
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(o.port),
    '--persist-to',
    join(o.dataDir, 'wrangler'),
    // GET /__scheduled runs the cron jobs by hand (wrangler.toml lets the path reach the Worker).
    '--test-scheduled',
    ...(o.bench ? ['--env', 'bench'] : []),
    ...(o.inspectorPort ? ['--inspector-port', String(o.inspectorPort)] : []),
    '--show-interactive-dev-session=false',
    // Below warn, wrangler prints a line per request; maskRequestLines() takes the tokens out of them.
    '--log-level',
    o.logLevel,
    // Plain settings on the command line; secrets only through a file that only this user can read, since any
    // local user can read a process's arguments.
    ...Object.entries(o.vars)
      .filter(([key]) => !isSecretVar(key))
      .flatMap(([key, value]) => ['--var', `${key}:${value}`]),
    '--env-file',
    writeSecretsFile(o.dataDir, o.vars),
  ];
  const log = createWriteStream(o.logFile, { flags: 'a' });
  log.write(`\n--- wrangler dev on port ${o.port}, ${new Date().toISOString()}\n`);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    // Its own process group, so stopping it takes workerd and esbuild with it.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      // Offline and quiet: no telemetry, no error reports, no update check, no fetch of Request.cf data.
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_SEND_ERROR_REPORTS: 'false',
      DO_NOT_TRACK: '1',
      WRANGLER_HIDE_BANNER: 'true',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      NO_UPDATE_NOTIFIER: '1',
      FORCE_COLOR: '0',
      // Keep wrangler's debug logs and its dev registry with this stack, not in ~/.config shared by every run.
      WRANGLER_LOG_PATH: join(o.dataDir, 'wrangler-logs'),
      WRANGLER_REGISTRY_PATH: join(o.dataDir, 'wrangler-registry'),
      // No local trace store: it would keep every request's full URL (share-link tokens included) on disk.
      X_LOCAL_OBSERVABILITY: 'false',
    },
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    const masked = stream.pipe(maskRequestLines());
    masked.pipe(log, { end: false });
    if (!o.quiet) masked.pipe(process.stderr, { end: false });
  }
  child.once('exit', () => log.end());
  killOnExit(child);
  return child;
}

async function waitForHealth(appUrl: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    try {
      const response = await fetch(`${appUrl}/api/health`, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return;
      lastProblem = `answered ${response.status}`;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const why =
    child.exitCode !== null || child.signalCode !== null
      ? `wrangler dev exited (${child.exitCode ?? child.signalCode})`
      : `GET ${appUrl}/api/health did not answer 200 within ${Math.round(timeoutMs / 1000)} s (${lastProblem})`;
  // Give the log stream a moment to flush what wrangler printed last.
  await new Promise((r) => setTimeout(r, 200));
  const tail = existsSync(logFile)
    ? readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-40).join('\n')
    : '(no log)';
  throw new Error(`${why}. Last lines of ${logFile}:\n${tail}`);
}

const groupAlive = (pid: number) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

const signalGroup = (pid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
};

/** SIGTERM to wrangler's group; SIGKILL after 5 s, or when anything of the group outlives wrangler. */
async function stopProcessGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    signalGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  // workerd may still be on its way out; don't leave it behind.
  for (let waited = 0; groupAlive(pid) && waited < 2_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  if (groupAlive(pid)) signalGroup(pid, 'SIGKILL');
  forgetOnExit(child);
}

// wrangler runs in its own process group, so it would outlive a test run or script that dies without calling
// stop(). On exit, and on a signal nobody else handles, take the groups down with us.
const running = new Set<ChildProcess>();
let exitHooksInstalled = false;

function killOnExit(child: ChildProcess): void {
  running.add(child);
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', () => {
    for (const c of running) if (c.pid) signalGroup(c.pid, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      // Someone else (npm run dev, vitest) handles this signal and will stop the stack properly.
      if (process.listenerCount(signal) > 1) return;
      for (const c of running) if (c.pid) signalGroup(c.pid, 'SIGTERM');
      process.off(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function forgetOnExit(child: ChildProcess): void {
  running.delete(child);
}
