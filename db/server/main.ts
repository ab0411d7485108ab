/**
 * The dev server as a process: `node db/server/main.ts --file .data/slotcast.db --port 8080 [--auth-token X]`.
 * Prints the URL; SIGINT or SIGTERM closes streams, connections and the HTTP server, then exits.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { startLibsqlServer } from './index.ts';

const usage =
  'usage: node db/server/main.ts [--file .data/slotcast.db | :memory:] [--port 8080] [--host 127.0.0.1] [--auth-token <token> (or LIBSQL_AUTH_TOKEN)] [--idle-stream-ms 10000] [--quiet]';

function options() {
  try {
    const { values } = parseArgs({
      options: {
        file: { type: 'string', default: '.data/slotcast.db' },
        port: { type: 'string', default: '8080' },
        host: { type: 'string', default: '127.0.0.1' },
        'auth-token': { type: 'string' },
        'idle-stream-ms': { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
    const port = Number(values.port);
    const idleStreamMs = values['idle-stream-ms'] === undefined ? undefined : Number(values['idle-stream-ms']);
    if (values.help) throw new Error('Runs the libSQL dev server.');
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`--port must be a port number, got ${values.port}`);
    if (idleStreamMs !== undefined && !(idleStreamMs > 0))
      throw new Error('--idle-stream-ms must be a positive number');
    return { ...values, port, idleStreamMs };
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    process.exit(2);
  }
}

const opts = options();
if (opts.file !== ':memory:') mkdirSync(dirname(opts.file), { recursive: true });
const server = await startLibsqlServer({
  file: opts.file,
  host: opts.host,
  port: opts.port,
  authToken: opts['auth-token'] ?? process.env.LIBSQL_AUTH_TOKEN,
  idleStreamMs: opts.idleStreamMs,
  log: opts.quiet ? undefined : (line) => console.log(`[libsql] ${line}`),
});
console.log(`libSQL dev server on ${server.url} (database ${opts.file})`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(
          `libSQL dev server did not close cleanly: ${error instanceof Error ? error.message : String(error)}`,
        );
        process.exit(1);
      },
    );
  });
}
