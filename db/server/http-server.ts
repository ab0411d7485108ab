/** The HTTP face of the dev server: Hrana v2 over JSON, as `@libsql/client` speaks it by default. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { PipelineRequest } from './protocol.ts';
import type { StreamManager } from './streams.ts';
import { ProtocolError } from './values.ts';

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const BUSY_RETRIES = 50;

export function createHranaHttpServer(streams: StreamManager, options: { authToken?: string; log?: (line: string) => void }) {
  const log = options.log ?? (() => {});
  return createServer(async (req, res) => {
    const started = performance.now();
    try {
      if (options.authToken && !authorized(req, options.authToken)) return send(res, 401, { message: 'Unauthorized', code: 'UNAUTHORIZED' });
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (req.method === 'GET' && (path === '/v2' || path === '/health' || path === '/')) return send(res, 200, { ok: true });
      if (req.method === 'GET' && path === '/version') return send(res, 200, { version: 'slotcast-libsql-dev' });
      if (req.method === 'POST' && path === '/v2/pipeline') {
        const body = JSON.parse(await readBody(req)) as PipelineRequest;
        const response = await runWithBusyRetry(streams, body);
        log(`pipeline ${body.requests.map((r) => r.type).join(',')} ${(performance.now() - started).toFixed(1)}ms`);
        return send(res, 200, response);
      }
      // Anything else, including the v3 probes: not served, so the client stays on v2.
      return send(res, 404, { message: `No such endpoint: ${req.method} ${path}` });
    } catch (error) {
      if (error instanceof ProtocolError || error instanceof SyntaxError) return send(res, 400, { message: error.message });
      log(`internal error: ${error instanceof Error ? error.message : String(error)}`);
      return send(res, 500, { message: 'Internal server error' });
    }
  });
}

/**
 * A one-shot pipeline (no baton, one data request) that met a lock held by an open interactive transaction
 * waited in SQLite would block this whole process; instead it is retried shortly, as Turso would queue it.
 */
async function runWithBusyRetry(streams: StreamManager, body: PipelineRequest) {
  const dataRequests = body.requests.filter((r) => r.type === 'execute' || r.type === 'batch' || r.type === 'sequence');
  const retryable = !body.baton && dataRequests.length === 1;
  for (let attempt = 0; ; attempt++) {
    const response = streams.pipeline(body);
    const busy = JSON.stringify(response.results).includes('"SQLITE_BUSY"');
    if (!busy || !retryable || response.baton !== null || attempt >= BUSY_RETRIES) return response;
    await new Promise((r) => setTimeout(r, 20 + attempt * 10));
  }
}

function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ProtocolError('request body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
