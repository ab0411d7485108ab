/**
 * The HTTP face of the dev server: Hrana 2 and Hrana 3 over HTTP, JSON only.
 *
 * `@libsql/client` (Node and /web) speaks Hrana 2 over JSON: it posts to `/v2/pipeline` and never probes. No
 * client the project uses speaks Protobuf (only `@libsql/hrana-client` opened at protocol version 3 would), so
 * there is no `/v3-protobuf`: such a client's probe gets a 404 and it falls back to Hrana 2 JSON. Version
 * probes need no token: clients send none with them.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ProtocolError, StreamGoneError } from './errors.ts';
import { jsonCodec } from './json-codec.ts';
import type { Codec, HranaVersion } from './protocol.ts';
import type { StreamRegistry } from './streams.ts';

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * How long an idle keep-alive connection stays open. Clients reuse idle connections from a pool: workerd keeps
 * them 5 s, which is exactly Node's default here, so at high load workerd sent requests on sockets this server
 * was closing, and saw "Network connection lost". The side that closes an idle connection must be the client,
 * which never reuses a socket it has closed: so the server waits much longer than any client keeps one.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

interface Endpoint {
  version: HranaVersion;
  codec: Codec;
  kind: 'pipeline' | 'cursor';
}

const ENDPOINTS: Record<string, Endpoint> = {
  '/v2/pipeline': { version: 2, codec: jsonCodec, kind: 'pipeline' },
  '/v3/pipeline': { version: 3, codec: jsonCodec, kind: 'pipeline' },
  '/v3/cursor': { version: 3, codec: jsonCodec, kind: 'cursor' },
};
const PROBES = new Set(['/', '/health', '/v2', '/v3']);

export interface HranaHttpServer {
  server: Server;
  /** Stops taking requests and waits up to `graceMs` for those under way, then drops every connection. */
  drain(graceMs: number): Promise<void>;
}

export function createHranaHttpServer(
  streams: StreamRegistry,
  options: { authToken?: string; log: (line: string) => void },
): HranaHttpServer {
  const { log } = options;
  let inFlight = 0;
  let idle: (() => void) | null = null;

  const server = createServer((req, res) => {
    inFlight++;
    const started = performance.now();
    let summary = '';
    handle(req, res, (text) => (summary = ` [${text}]`))
      .catch((error: unknown) => {
        log(`internal error: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown'}`);
        if (!res.headersSent) sendText(res, 500, 'Internal server error');
      })
      .finally(() => {
        inFlight--;
        if (inFlight === 0) idle?.();
        const path = new URL(req.url ?? '/', 'http://localhost').pathname;
        if (!PROBES.has(path))
          log(`${req.method} ${path} ${res.statusCode} ${(performance.now() - started).toFixed(1)} ms${summary}`);
      });
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // As Node's docs advise, the header timer stays above the keep-alive timer, so a socket that sat idle and
  // then starts a request is never cut by the wrong one.
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 5_000;

  /** `note` records what the request log may say about a request: its request types, never SQL, arguments or tokens. */
  async function handle(req: IncomingMessage, res: ServerResponse, note: (summary: string) => void): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (PROBES.has(path)) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed');
      return sendText(res, 200, 'Hello, this is the Slotcast libSQL dev server (Hrana over HTTP, v2 and v3)');
    }
    const endpoint = ENDPOINTS[path];
    if (!endpoint) return sendText(res, 404, `No such endpoint: ${path}`);
    if (req.method !== 'POST') return sendText(res, 405, 'Method not allowed');
    if (options.authToken !== undefined && !authorized(req, options.authToken)) {
      req.resume();
      return sendJson(res, 401, {
        message: 'Unauthorized: the bearer token is missing or wrong',
        code: 'UNAUTHORIZED',
      });
    }
    const { codec } = endpoint;
    try {
      const body = await readBody(req);
      if (endpoint.kind === 'pipeline') {
        const request = codec.decodePipelineRequest(body);
        note(request.requests.map((r) => r.type).join(','));
        const { value: results, baton } = await streams.use(request.baton, async (stream) => {
          const out = [];
          for (const r of request.requests) out.push(await stream.handle(r, endpoint.version));
          return out;
        });
        return send(res, 200, codec.contentType, codec.encodePipelineResponse({ baton, baseUrl: null, results }));
      }
      const request = codec.decodeCursorRequest(body);
      note(`cursor, ${request.batch.steps.length} steps`);
      const { value: entries, baton } = await streams.use(request.baton, (stream) =>
        stream.cursor(request.batch, endpoint.version),
      );
      const contentType = codec === jsonCodec ? 'text/plain' : 'application/octet-stream';
      return send(res, 200, contentType, codec.encodeCursorResponse({ baton, baseUrl: null }, entries));
    } catch (error) {
      if (error instanceof BodyTooLarge) return sendText(res, 413, error.message);
      if (error instanceof ProtocolError) return sendText(res, 400, error.message);
      if (error instanceof StreamGoneError) {
        const status = error.code === 'SERVER_SHUTTING_DOWN' ? 503 : 500;
        return send(res, status, codec.contentType, codec.encodeError({ message: error.message, code: error.code }));
      }
      throw error;
    }
  }

  return {
    server,
    async drain(graceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => (idle = resolve)),
          new Promise((resolve) => setTimeout(resolve, graceMs).unref()),
        ]);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}

function authorized(req: IncomingMessage, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  const given = Buffer.from(match?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      req.off('data', onData);
      req.resume(); // drain the rest so the 413 can be sent on this connection
      reject(new BodyTooLarge(`The request body is larger than ${MAX_BODY_BYTES} bytes`));
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, contentType: string, body: Buffer): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': body.length });
  res.end(body);
}
const sendText = (res: ServerResponse, status: number, text: string) =>
  send(res, status, 'text/plain', Buffer.from(text));
const sendJson = (res: ServerResponse, status: number, body: unknown) =>
  send(res, status, 'application/json', Buffer.from(JSON.stringify(body)));
