/**
 * The Worker's database client under transient failures (worker/db-retry.ts): the real dev server, reached
 * through `@libsql/client/web` as the Worker reaches it, behind a local proxy that loses connections on
 * purpose — before the request reaches the database, or after the database answered.
 */
import { createClient } from '@libsql/client/web';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../db/migrate.ts';
import { startLibsqlServer, type LibsqlServer } from '../../db/server/index.ts';
import { databaseClient } from '../../worker/db-http.ts';
import { DbRequestError, WriteAnswerLost, withRetries } from '../../worker/db-retry.ts';

type Fault = 'drop-before' | 'drop-after' | 'busy-503';

let dir: string;
let server: LibsqlServer;
let proxy: Server;
let proxyUrl: string;
const authToken = 'retry-test-token';
const faults: Fault[] = [];
let requests = 0;

/** Forwards each request to the dev server, unless the next fault says to lose it. */
function startFaultyProxy(upstream: string): Promise<Server> {
  const target = new URL(upstream);
  const proxyServer = createServer((req, res) => {
    requests++;
    const fault = faults.shift();
    if (fault === 'drop-before') return void req.socket.destroy();
    if (fault === 'busy-503') {
      res.writeHead(503, { 'content-type': 'text/plain' });
      return void res.end('Service Unavailable');
    }
    const forwarded = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          // The database did the work; the answer never reaches the client.
          if (fault === 'drop-after') return void req.socket.destroy();
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(Buffer.concat(chunks));
        });
      },
    );
    req.pipe(forwarded);
  });
  return new Promise((resolve) => proxyServer.listen(0, '127.0.0.1', () => resolve(proxyServer)));
}

const client = () =>
  withRetries(createClient({ url: proxyUrl, authToken }), { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 });
const direct = () => createClient({ url: server.url, authToken });

async function countNotes(tag: string): Promise<number> {
  const result = await direct().execute({ sql: 'SELECT count(*) AS n FROM retry_notes WHERE tag = ?', args: [tag] });
  return Number(result.rows[0]!.n);
}

const insertNote = (tag: string) => ({ sql: 'INSERT INTO retry_notes (tag) VALUES (?)', args: [tag] });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slotcast-retry-'));
  server = await startLibsqlServer({ file: join(dir, 'retry.db'), authToken });
  await migrate(server.url, authToken);
  // No unique key on tag: only the write receipt stands between a retry and a second row.
  await direct().execute('CREATE TABLE retry_notes (tag TEXT NOT NULL)');
  proxy = await startFaultyProxy(server.url);
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  faults.length = 0;
  requests = 0;
});

describe('reads', () => {
  it('answers after connections were lost twice', async () => {
    faults.push('drop-before', 'drop-after');
    const result = await client().execute({ sql: 'SELECT ? AS answer', args: [42] });
    expect(result.rows[0]!.answer).toBe(42);
    expect(requests).toBe(3);
  });

  it('gives up after its tries with the cause first, the SQL after and no parameter values', async () => {
    faults.push('drop-before', 'drop-before', 'drop-before', 'drop-before');
    const failure = await client()
      .execute({ sql: 'SELECT * FROM users WHERE email = ?', args: ['private@example.test'] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DbRequestError);
    const message = (failure as Error).message;
    expect(message).toMatch(/^DB request failed: fetch failed/);
    expect(message).toContain('— in: SELECT * FROM users WHERE email = ?');
    expect(message).not.toContain('private@example.test');
    expect(requests).toBe(4);
  });
});

describe('reads answered as array rows (as getDb reads)', () => {
  const arrayClient = () =>
    withRetries(databaseClient(proxyUrl, authToken), {
      attempts: 4,
      baseDelayMs: 1,
      maxDelayMs: 5,
    });

  it('answer after a lost connection, a lost answer and a busy server', async () => {
    faults.push('drop-before', 'drop-after', 'busy-503');
    const result = await arrayClient().execute({ sql: 'SELECT ? AS answer', args: [42] });
    expect(result.rows).toEqual([[42]]);
    expect(requests).toBe(4);
  });

  it('give up after their tries with the cause first and no parameter values', async () => {
    faults.push('drop-before', 'drop-before', 'drop-before', 'drop-before');
    const failure = await arrayClient()
      .batch([{ sql: 'SELECT * FROM users WHERE email = ?', args: ['private@example.test'] }])
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DbRequestError);
    expect((failure as Error).message).toMatch(/^DB request failed: fetch failed/);
    expect((failure as Error).message).not.toContain('private@example.test');
    expect(requests).toBe(4);
  });

  it('are not retried when the database refused them', async () => {
    const failure = await arrayClient()
      .execute('SELECT no_such_column FROM retry_notes')
      .catch((error: unknown) => error);
    expect((failure as { code?: string }).code).toBe('SQLITE_ERROR');
    expect(requests).toBe(1);
  });
});

const httpClient = () =>
  withRetries(databaseClient(proxyUrl, authToken), { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 });

describe.each([
  ['the libSQL client', 'client', client],
  ["getDb's client over HTTP", 'http', httpClient],
])('write batches through %s', (_, on, client) => {
  it('are run again when the request never reached the database, and write once', async () => {
    faults.push('drop-before', 'busy-503');
    await client().batch([insertNote(`${on}-never-reached`), insertNote(`${on}-never-reached-2`)]);
    expect(await countNotes(`${on}-never-reached`)).toBe(1);
    expect(await countNotes(`${on}-never-reached-2`)).toBe(1);
    expect(requests).toBe(3);
  });

  it('write once when the answer was lost after the commit, and say the change was saved', async () => {
    faults.push('drop-after');
    const failure = await client()
      .batch([insertNote(`${on}-answer-lost`)])
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WriteAnswerLost);
    expect((failure as WriteAnswerLost).status).toBe(503);
    expect(await countNotes(`${on}-answer-lost`)).toBe(1);
  });

  it('single statements are protected the same way', async () => {
    faults.push('drop-after');
    await expect(client().execute(insertNote(`${on}-single`))).rejects.toBeInstanceOf(WriteAnswerLost);
    faults.push('drop-before');
    const result = await client().execute({
      ...insertNote(`${on}-single-2`),
      sql: `${insertNote('').sql} RETURNING tag`,
    });
    expect(result.rows[0]!.tag).toBe(`${on}-single-2`);
    expect(await countNotes(`${on}-single`)).toBe(1);
    expect(await countNotes(`${on}-single-2`)).toBe(1);
  });

  it('are not retried when the database refused them', async () => {
    const failure = await client()
      .batch([insertNote(`${on}-refused`), { sql: 'INSERT INTO no_such_table VALUES (1)', args: [] }])
      .catch((error: unknown) => error);
    expect(String(failure)).toMatch(/no such table/);
    expect(requests).toBe(1);
    expect(await countNotes(`${on}-refused`)).toBe(0);
  });
});

describe('the dev server', () => {
  it('keeps idle connections open longer than the clients that reuse them (workerd keeps them 5 s)', async () => {
    const server2 = await startLibsqlServer({ file: ':memory:' });
    try {
      const response = await fetch(`${server2.url}/health`);
      // Node announces its idle timeout in the Keep-Alive header.
      const timeout = Number(/timeout=(\d+)/.exec(response.headers.get('keep-alive')!)![1]);
      expect(timeout).toBeGreaterThanOrEqual(60);
    } finally {
      await server2.close();
    }
  });
});
