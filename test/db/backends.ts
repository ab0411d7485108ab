/**
 * The databases the conformance suite runs against: the dev server reached through both entry points of
 * `@libsql/client` (the Worker uses `/web`), and the embedded client on a file. Each gets a fresh temporary
 * database with the project's real migrations applied.
 */
import { createClient as createNodeClient, type Client, type Config } from '@libsql/client';
import { createClient as createWebClient } from '@libsql/client/web';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../../db/migrate.ts';
import { startLibsqlServer, type LibsqlServer, type LibsqlServerOptions } from '../../db/server/index.ts';

export interface Database {
  url: string;
  authToken: string | undefined;
  /** A new client of this database, closed by `stop()`. */
  client(config?: Partial<Config>): Client;
  /** Set for the dev server only. */
  server: LibsqlServer | null;
  /** Every line the dev server logged. */
  serverLog: string[];
  stop(): Promise<void>;
}

export interface Backend {
  name: string;
  isServer: boolean;
  start(): Promise<Database>;
}

type CreateClient = (config: Config) => Client;

/** A dev server on a random port over a fresh file, migrated, every request carrying a bearer token. */
export async function startMigratedServer(
  createClient: CreateClient = createNodeClient,
  options: Partial<LibsqlServerOptions> = {},
): Promise<Database> {
  const dir = await mkdtemp(join(tmpdir(), 'slotcast-db-test-'));
  const serverLog: string[] = [];
  const authToken = `test-token-${crypto.randomUUID()}`;
  const server = await startLibsqlServer({
    file: join(dir, 'test.db'),
    authToken,
    log: (line) => serverLog.push(line),
    ...options,
  });
  await migrate(server.url, authToken);
  return withClients({ url: server.url, authToken, server, serverLog }, createClient, async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
}

async function startMigratedFile(): Promise<Database> {
  const dir = await mkdtemp(join(tmpdir(), 'slotcast-db-test-'));
  const url = `file:${join(dir, 'test.db')}`;
  await migrate(url);
  return withClients({ url, authToken: undefined, server: null, serverLog: [] }, createNodeClient, () =>
    rm(dir, { recursive: true, force: true }),
  );
}

function withClients(
  base: Pick<Database, 'url' | 'authToken' | 'server' | 'serverLog'>,
  createClient: CreateClient,
  cleanup: () => Promise<void>,
): Database {
  const clients: Client[] = [];
  return {
    ...base,
    client(config = {}) {
      const client = createClient({ url: base.url, authToken: base.authToken, ...config });
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients.splice(0)) client.close();
      await cleanup();
    },
  };
}

export const backends: Backend[] = [
  { name: 'the dev server through @libsql/client', isServer: true, start: () => startMigratedServer(createNodeClient) },
  {
    name: 'the dev server through @libsql/client/web',
    isServer: true,
    start: () => startMigratedServer(createWebClient),
  },
  { name: 'the embedded @libsql/client on a file', isServer: false, start: startMigratedFile },
];
