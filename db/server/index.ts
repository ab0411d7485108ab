/**
 * The libSQL dev server: the official libSQL engine (`libsql` package) behind Hrana over HTTP, for local runs
 * and tests, standing in for Turso (DESIGN.md, "Local and production"). test/db/conformance.test.ts runs one
 * suite against it and against the embedded client to keep the two in step.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHranaHttpServer } from './http-server.ts';
import { StreamRegistry } from './streams.ts';

export interface LibsqlServerOptions {
  /** The database file; `:memory:` uses a temporary file removed on close, so streams still share one database. */
  file: string;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** When set, every pipeline and cursor request must carry `Authorization: Bearer <token>`. */
  authToken?: string;
  /** Streams idle this long are closed and their open transaction rolled back (default 10 s, as sqld). */
  idleStreamMs?: number;
  /** How long a statement waits for another stream's write lock before failing with SQLITE_BUSY (default 5 s). */
  busyTimeoutMs?: number;
  /** One line per request (endpoint, status, duration, request types) and per expired stream. */
  log?: (line: string) => void;
}

export interface LibsqlServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startLibsqlServer(options: LibsqlServerOptions): Promise<LibsqlServer> {
  const log = options.log ?? (() => {});
  const scratchDir = options.file === ':memory:' ? mkdtempSync(join(tmpdir(), 'slotcast-libsql-')) : null;
  const streams = new StreamRegistry({
    file: scratchDir ? join(scratchDir, 'memory.db') : options.file,
    idleStreamMs: options.idleStreamMs ?? 10_000,
    busyTimeoutMs: options.busyTimeoutMs ?? 5_000,
    log,
  });
  const http = createHranaHttpServer(streams, { authToken: options.authToken, log });
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      http.server.once('error', reject);
      http.server.listen(options.port ?? 0, host, () => resolve());
    });
  } catch (error) {
    streams.close();
    if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
    throw error;
  }
  const { port } = http.server.address() as AddressInfo;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close() {
      closing ??= (async () => {
        streams.shutdown();
        await http.drain(2_000);
        streams.close();
        if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
