/**
 * The libSQL dev server: the official libSQL engine (`libsql` package) behind Hrana over HTTP, for local runs
 * and tests. Production uses Turso; the conformance suite in test/db runs against both this and the embedded
 * client to keep them in step.
 */
import type { AddressInfo } from 'node:net';
import { createHranaHttpServer } from './http-server.ts';
import { StreamManager } from './streams.ts';

export interface LibsqlServerOptions {
  file: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  authToken?: string;
  /** Streams idle this long are closed and their transaction rolled back (default 10 s). */
  idleStreamMs?: number;
  log?: (line: string) => void;
}

export interface LibsqlServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startLibsqlServer(options: LibsqlServerOptions): Promise<LibsqlServer> {
  const streams = new StreamManager(options.file, options.idleStreamMs ?? 10_000);
  const server = createHranaHttpServer(streams, { authToken: options.authToken, log: options.log });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      streams.close();
    },
  };
}
