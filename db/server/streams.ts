/**
 * Hrana streams over HTTP: a stream is one connection held between requests and named by a baton that
 * changes on every response. Idle streams expire, rolling back any open transaction. Connections of closed
 * streams go back to a small pool.
 */
import { randomBytes } from 'node:crypto';
import { Connection, SqlError, toHranaError } from './connection.ts';
import type { PipelineRequest, StreamRequest, StreamResult } from './protocol.ts';
import { ProtocolError } from './values.ts';

interface Stream {
  connection: Connection;
  /** Stored SQL texts are per stream in Hrana. */
  storedSql: Map<number, string>;
  baton: string;
  timer: NodeJS.Timeout;
  busy: boolean;
}

export class StreamManager {
  private readonly file: string;
  private readonly idleMs: number;
  private readonly streams = new Map<string, Stream>();
  private readonly pool: Connection[] = [];
  private closed = false;

  constructor(file: string, idleMs: number) {
    this.file = file;
    this.idleMs = idleMs;
    // WAL lets readers proceed while one stream writes.
    const setup = new Connection(file, new Map());
    setup.db.exec('PRAGMA journal_mode = WAL;');
    this.pool.push(setup);
  }

  /** Runs one pipeline request body; returns the response body. */
  pipeline(body: PipelineRequest): { baton: string | null; base_url: null; results: StreamResult[] } {
    if (this.closed) throw new ProtocolError('the server is shutting down');
    if (!body || !Array.isArray(body.requests)) throw new ProtocolError('a pipeline needs a requests array');
    const stream = body.baton ? this.take(body.baton) : this.open();
    stream.busy = true;
    const results: StreamResult[] = [];
    let closeRequested = false;
    try {
      for (const request of body.requests) {
        if (closeRequested) {
          results.push({ type: 'error', error: { message: 'The stream is closed', code: 'STREAM_CLOSED' } });
          continue;
        }
        if (request.type === 'close') {
          closeRequested = true;
          results.push({ type: 'ok', response: { type: 'close' } });
          continue;
        }
        results.push(this.handle(stream, request));
      }
    } catch (error) {
      // A malformed request ends the stream, as in Turso; its transaction is rolled back.
      this.release(stream);
      throw error;
    } finally {
      stream.busy = false;
    }
    if (closeRequested) {
      this.release(stream);
      return { baton: null, base_url: null, results };
    }
    stream.baton = newBaton();
    this.streams.set(stream.baton, stream);
    this.arm(stream);
    return { baton: stream.baton, base_url: null, results };
  }

  private handle(stream: Stream, request: StreamRequest): StreamResult {
    const { connection } = stream;
    try {
      switch (request.type) {
        case 'execute':
          return ok({ type: 'execute', result: connection.execute(request.stmt) });
        case 'batch':
          return ok({ type: 'batch', result: connection.batch(request.batch) });
        case 'sequence':
          connection.sequence(connection.sqlOf(request));
          return ok({ type: 'sequence' });
        case 'describe':
          return ok({ type: 'describe', result: connection.describe(connection.sqlOf(request)) });
        case 'store_sql':
          stream.storedSql.set(request.sql_id, request.sql);
          return ok({ type: 'store_sql' });
        case 'close_sql':
          stream.storedSql.delete(request.sql_id);
          return ok({ type: 'close_sql' });
        case 'get_autocommit':
          return ok({ type: 'get_autocommit', is_autocommit: connection.autocommit });
        default:
          throw new ProtocolError(`unknown request type ${(request as { type: string }).type}`);
      }
    } catch (error) {
      if (error instanceof ProtocolError) throw error;
      return { type: 'error', error: error instanceof SqlError ? error.hrana : toHranaError(error) };
    }
  }

  private open(): Stream {
    const storedSql = new Map<number, string>();
    const pooled = this.pool.pop();
    const connection = pooled ?? new Connection(this.file, storedSql);
    connection.storedSql = storedSql;
    return { connection, storedSql, baton: '', timer: setTimeout(() => {}, 0), busy: false };
  }

  private take(baton: string): Stream {
    const stream = this.streams.get(baton);
    if (!stream) throw new ProtocolError('This baton is unknown or expired; the stream is gone');
    this.streams.delete(baton);
    clearTimeout(stream.timer);
    return stream;
  }

  private arm(stream: Stream): void {
    clearTimeout(stream.timer);
    stream.timer = setTimeout(() => {
      if (this.streams.get(stream.baton) !== stream) return;
      this.streams.delete(stream.baton);
      this.release(stream);
    }, this.idleMs);
    stream.timer.unref();
  }

  /** An ended stream's connection: any open transaction rolled back, then pooled or closed. */
  private release(stream: Stream): void {
    clearTimeout(stream.timer);
    const { connection } = stream;
    try {
      if (connection.db.inTransaction) connection.db.exec('ROLLBACK');
    } catch {
      connection.close();
      return;
    }
    if (this.pool.length < 8 && !this.closed) this.pool.push(connection);
    else connection.close();
  }

  get openStreams(): number {
    return this.streams.size;
  }

  close(): void {
    this.closed = true;
    for (const stream of this.streams.values()) {
      clearTimeout(stream.timer);
      stream.connection.close();
    }
    this.streams.clear();
    for (const connection of this.pool.splice(0)) connection.close();
  }
}

const ok = (response: Record<string, unknown> & { type: string }): StreamResult => ({ type: 'ok', response });
const newBaton = () => randomBytes(24).toString('base64url');

