/**
 * The dev server as a Hrana server: what `@libsql/client` never exercises on its own (Hrana 3,
 * cursors, autocommit checks), the protocol's error answers, lock waits that give up, shutdown and the CLI.
 * The shared behaviour with the embedded client is in conformance.test.ts.
 */
import { createClient } from '@libsql/client';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLibsqlServer } from '../../db/server/index.ts';
import { until } from '../support/until.ts';
import { startMigratedServer, type Database } from './backends.ts';
import { HOUR, MONDAY_9AM, countSlots, givenTeacher, insertSlot, libsqlErrorOf } from './given.ts';

let database: Database;
beforeAll(async () => {
  database = await startMigratedServer();
});
afterAll(() => database?.stop());

/** One raw pipeline request, for what the clients never send. */
async function pipeline(path: string, body: unknown, authToken = database.authToken) {
  const response = await fetch(`${database.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${authToken}` },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) };
}

describe('Hrana 3', () => {
  it('answers JSON pipelines and cursors on /v3, with get_autocommit and is_autocommit', async () => {
    const opened = await pipeline('/v3/pipeline', {
      baton: null,
      requests: [{ type: 'execute', stmt: { sql: 'BEGIN' } }, { type: 'get_autocommit' }],
    });
    expect(opened.status).toBe(200);
    const body = opened.json();
    expect(body.results[1]).toEqual({ type: 'ok', response: { type: 'get_autocommit', is_autocommit: false } });
    expect(typeof body.baton).toBe('string');

    const cursor = await pipeline('/v3/cursor', {
      baton: body.baton,
      batch: {
        steps: [
          {
            stmt: { sql: 'SELECT ? AS n', args: [{ type: 'integer', value: '9007199254740993' }] },
            condition: { type: 'not', cond: { type: 'is_autocommit' } },
          },
        ],
      },
    });
    const [head, ...entries] = cursor.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(entries).toEqual([
      { type: 'step_begin', step: 0, cols: [{ name: 'n', decltype: null }] },
      { type: 'row', row: [{ type: 'integer', value: '9007199254740993' }] },
      { type: 'step_end', affected_row_count: 0, last_insert_rowid: null },
    ]);

    const closed = await pipeline('/v3/pipeline', {
      baton: head.baton,
      requests: [{ type: 'execute', stmt: { sql: 'ROLLBACK' } }, { type: 'close' }],
    });
    expect(closed.json().baton).toBeNull();
  });

  it('refuses Hrana 3 requests on the Hrana 2 endpoint', async () => {
    expect((await pipeline('/v2/pipeline', { baton: null, requests: [{ type: 'get_autocommit' }] })).status).toBe(400);
    const withCondition = {
      type: 'batch',
      batch: { steps: [{ stmt: { sql: 'SELECT 1' }, condition: { type: 'is_autocommit' } }] },
    };
    expect((await pipeline('/v2/pipeline', { baton: null, requests: [withCondition] })).status).toBe(400);
  });
});

describe('protocol errors', () => {
  it('answers an unknown or reused baton with 400', async () => {
    expect((await pipeline('/v2/pipeline', { baton: 'made-up', requests: [] })).status).toBe(400);
    const first = (await pipeline('/v2/pipeline', { baton: null, requests: [] })).json();
    await pipeline('/v2/pipeline', { baton: first.baton, requests: [] });
    const reused = await pipeline('/v2/pipeline', { baton: first.baton, requests: [] });
    expect(reused.status).toBe(400);
    expect(reused.text).toContain('baton');
  });

  it('answers an expired baton with a STREAM_EXPIRED error', async () => {
    const log: string[] = [];
    const server = await startLibsqlServer({ file: ':memory:', idleStreamMs: 50, log: (line) => log.push(line) });
    try {
      const post = (baton: string | null) =>
        fetch(`${server.url}/v2/pipeline`, { method: 'POST', body: JSON.stringify({ baton, requests: [] }) });
      const { baton } = (await (await post(null)).json()) as { baton: string };
      // Polling with the baton would keep the stream alive: wait for the server's own word that it expired.
      await until(
        () => log.some((line) => line.includes('stream expired')),
        (expired) => expired,
        5_000,
      );
      const expired = await post(baton);
      expect(expired.status).toBe(500);
      expect(await expired.json()).toMatchObject({ code: 'STREAM_EXPIRED' });
    } finally {
      await server.close();
    }
  });

  it('refuses two statements in one execute, as Turso does', async () => {
    const error = await libsqlErrorOf(database.client().execute('SELECT 1; SELECT 2'));
    expect(error.code).toBe('SQL_MANY_STATEMENTS');
  });

  it('refuses a batch condition on a step that has not run yet', async () => {
    const steps = [{ stmt: { sql: 'SELECT 1' }, condition: { type: 'ok', step: 1 } }, { stmt: { sql: 'SELECT 2' } }];
    expect(
      (await pipeline('/v2/pipeline', { baton: null, requests: [{ type: 'batch', batch: { steps } }] })).status,
    ).toBe(400);
  });

  it('refuses to store an SQL text over 5000 bytes, as Turso does', async () => {
    const result = await pipeline('/v2/pipeline', {
      baton: null,
      requests: [{ type: 'store_sql', sql_id: 1, sql: `SELECT '${'x'.repeat(5000)}'` }, { type: 'close' }],
    });
    expect(result.json().results[0]).toMatchObject({ type: 'error', error: { code: 'SQL_STORE_TOO_LARGE' } });
  });

  it('answers version probes without a token, but no pipeline', async () => {
    for (const probe of ['/v2', '/v3']) expect((await fetch(`${database.url}${probe}`)).status).toBe(200);
    const response = await fetch(`${database.url}/v2/pipeline`, { method: 'POST', body: '{"requests":[]}' });
    expect(response.status).toBe(401);
    expect((await pipeline('/v2/pipeline', { requests: [] }, 'wrong')).status).toBe(401);
  });

  it('logs request types and durations, never SQL, arguments or the token', async () => {
    const secret = `secret-${crypto.randomUUID()}`;
    await database.client().execute({ sql: 'SELECT ? AS secret_column', args: [secret] });
    const log = database.serverLog.join('\n');
    expect(log).toMatch(/POST \/v2\/pipeline 200 [\d.]+ ms \[execute,close\]/);
    for (const forbidden of [secret, 'secret_column', database.authToken!]) expect(log).not.toContain(forbidden);
  });
});

describe('locks', () => {
  it('gives up on a lock after busyTimeoutMs with SQLITE_BUSY, then serves that client normally', async () => {
    const db = await startMigratedServer(undefined, { busyTimeoutMs: 100 });
    try {
      const teacher = await givenTeacher(db.client());
      const holder = await db.client().transaction('write');
      const other = db.client();
      try {
        await holder.execute(insertSlot(teacher.id, MONDAY_9AM));
        const error = await libsqlErrorOf(other.execute(insertSlot(teacher.id, MONDAY_9AM + 2 * HOUR)));
        expect(error.code).toBe('SQLITE_BUSY');
        await holder.commit();
      } finally {
        holder.close();
      }
      await other.execute(insertSlot(teacher.id, MONDAY_9AM + 4 * HOUR));
      expect(await countSlots(other, teacher.id)).toBe(2);
    } finally {
      await db.stop();
    }
  });

  it('fails a deferred transaction whose snapshot went stale, and the next transaction commits', async () => {
    const teacher = await givenTeacher(database.client());
    const stale = database.client();
    const tx = await stale.transaction('deferred');
    try {
      await countSlots(tx, teacher.id);
      await database.client().execute(insertSlot(teacher.id, MONDAY_9AM));
      const error = await libsqlErrorOf(tx.execute(insertSlot(teacher.id, MONDAY_9AM + 2 * HOUR)));
      expect(error.code).toBe('SQLITE_BUSY');
      await tx.rollback();
    } finally {
      tx.close();
    }
    const next = await stale.transaction('write');
    try {
      await next.execute(insertSlot(teacher.id, MONDAY_9AM + 2 * HOUR));
      await next.commit();
    } finally {
      next.close();
    }
    expect(await countSlots(stale, teacher.id)).toBe(2);
  });
});

describe('lifecycle', () => {
  it('serves one shared database from :memory: to every stream', async () => {
    const server = await startLibsqlServer({ file: ':memory:' });
    try {
      const a = createClient({ url: server.url });
      const b = createClient({ url: server.url });
      await a.execute('CREATE TABLE shared (x)');
      await b.execute('INSERT INTO shared VALUES (1)');
      expect((await a.execute('SELECT count(*) AS n FROM shared')).rows[0]!.n).toBe(1);
      a.close();
      b.close();
    } finally {
      await server.close();
    }
  });

  it('rolls back open transactions and frees the port when closed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slotcast-db-close-'));
    const file = join(dir, 'close.db');
    try {
      const server = await startLibsqlServer({ file });
      const client = createClient({ url: server.url });
      await client.execute('CREATE TABLE kept (x)');
      const tx = await client.transaction('write');
      await tx.execute('INSERT INTO kept VALUES (1)');
      await server.close();
      await expect(fetch(`${server.url}/v2`)).rejects.toThrow();
      tx.close();
      client.close();

      const again = await startLibsqlServer({ file, port: server.port });
      const reader = createClient({ url: again.url });
      expect((await reader.execute('SELECT count(*) AS n FROM kept')).rows[0]!.n).toBe(0);
      await reader.execute('INSERT INTO kept VALUES (2)'); // no lock left behind
      reader.close();
      await again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs as a CLI that prints its URL and exits cleanly on SIGTERM', async () => {
    const main = fileURLToPath(new URL('../../db/server/main.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      [main, '--file', ':memory:', '--port', '0', '--auth-token', 'cli-token', '--quiet'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const lines = createInterface({ input: child.stdout! });
      const [firstLine] = (await once(lines, 'line')) as [string];
      const url = /http:\/\/\S+/.exec(firstLine)![0];
      const client = createClient({ url, authToken: 'cli-token' });
      expect((await client.execute('SELECT 1 AS one')).rows[0]!.one).toBe(1);
      client.close();
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

describe('connection reuse', () => {
  it('never hands one client’s temporary tables or triggers to another', async () => {
    const { startLibsqlServer } = await import('../../db/server/index.ts');
    const { createClient } = await import('@libsql/client');
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'slotcast-temp-'));
    const server = await startLibsqlServer({ file: join(dir, 'temp.db') });
    try {
      const a = createClient({ url: server.url });
      await a.executeMultiple("CREATE TABLE items (name TEXT); INSERT INTO items VALUES ('real');");
      // Forms a text check would miss: a schema-qualified name and a leading comment.
      // One stream: the temp objects exist on its connection when the stream ends.
      await a.executeMultiple(
        "CREATE TABLE temp.items (name TEXT); INSERT INTO temp.items VALUES ('shadow'); /* note */ CREATE TEMP TRIGGER spy AFTER INSERT ON main.items BEGIN SELECT 1; END;",
      );
      for (let i = 0; i < 10; i++) {
        const other = createClient({ url: server.url });
        expect((await other.execute('SELECT name FROM items')).rows.map((r) => r.name)).toEqual(['real']);
        expect((await other.execute('SELECT count(*) AS n FROM sqlite_temp_master')).rows[0]!.n).toBe(0);
        other.close();
      }
      a.close();
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
