/**
 * The streams the server holds between HTTP requests, each named by a baton that changes on every response,
 * so requests on a stream are strictly serial. A stream left idle for `idleStreamMs` is closed and its open
 * transaction rolled back; its last baton is remembered for a while so a late request learns the stream
 * *expired* (as sqld reports it) instead of getting a bare "invalid baton".
 */
import { randomBytes } from 'node:crypto';
import { Connection } from './connection.ts';
import { ProtocolError, StreamGoneError } from './errors.ts';
import { Stream } from './stream.ts';

const POOL_SIZE = 8;
const REMEMBER_EXPIRED_MS = 5 * 60_000;
const REMEMBER_EXPIRED_MAX = 1000;

export interface StreamRegistryOptions {
  file: string;
  idleStreamMs: number;
  busyTimeoutMs: number;
  log: (line: string) => void;
}

interface IdleStream {
  stream: Stream;
  timer: NodeJS.Timeout;
}

export class StreamRegistry {
  readonly #options: StreamRegistryOptions;
  readonly #shutdown = new AbortController();
  readonly #idle = new Map<string, IdleStream>();
  readonly #expired = new Map<string, number>();
  readonly #busy = new Set<Stream>();
  readonly #pool: Connection[] = [];

  constructor(options: StreamRegistryOptions) {
    this.#options = options;
    const first = this.#connect();
    // WAL is a property of the file: readers never wait for the writer, and it persists for every connection.
    first.setJournalModeWal();
    this.#pool.push(first);
  }

  get closing(): boolean {
    return this.#shutdown.signal.aborted;
  }

  /** Streams currently between requests (held by a baton). */
  get idleCount(): number {
    return this.#idle.size;
  }

  /**
   * Runs `work` on the stream `baton` names (a new stream when it is null) and returns the baton for the next
   * request, or null once the stream is closed. If `work` throws, the stream ends and its transaction is
   * rolled back, as sqld does.
   */
  async use<T>(
    baton: string | null,
    work: (stream: Stream) => Promise<T>,
  ): Promise<{ value: T; baton: string | null }> {
    if (this.closing) throw new StreamGoneError('The server is shutting down', 'SERVER_SHUTTING_DOWN');
    const stream = baton === null ? new Stream(this.#pool.pop() ?? this.#connect()) : this.#take(baton);
    this.#busy.add(stream);
    let value: T;
    try {
      value = await work(stream);
    } catch (error) {
      this.#end(stream);
      throw error;
    } finally {
      this.#busy.delete(stream);
    }
    if (stream.closed || this.closing) {
      this.#end(stream);
      return { value, baton: null };
    }
    return { value, baton: this.#park(stream) };
  }

  /** Refuses new requests and stops statements waiting for a lock; requests under way finish, streams end. */
  shutdown(): void {
    this.#shutdown.abort();
  }

  /** Closes every stream (rolling back open transactions) and connection. */
  close(): void {
    this.#shutdown.abort();
    for (const { stream, timer } of this.#idle.values()) {
      clearTimeout(timer);
      stream.connection.close();
    }
    this.#idle.clear();
    for (const stream of this.#busy) stream.connection.close();
    this.#busy.clear();
    for (const connection of this.#pool.splice(0)) connection.close();
  }

  #connect(): Connection {
    return new Connection(this.#options.file, this.#options.busyTimeoutMs, this.#shutdown.signal);
  }

  #take(baton: string): Stream {
    const idle = this.#idle.get(baton);
    if (idle) {
      this.#idle.delete(baton);
      clearTimeout(idle.timer);
      return idle.stream;
    }
    if (this.#expired.has(baton))
      throw new StreamGoneError('The stream has expired due to inactivity', 'STREAM_EXPIRED');
    throw new ProtocolError('The baton is invalid: it names no open stream, or was already used');
  }

  #park(stream: Stream): string {
    const baton = randomBytes(32).toString('base64url');
    const timer = setTimeout(() => this.#expire(baton), this.#options.idleStreamMs);
    timer.unref();
    this.#idle.set(baton, { stream, timer });
    return baton;
  }

  #expire(baton: string): void {
    const idle = this.#idle.get(baton);
    if (!idle) return;
    this.#idle.delete(baton);
    const hadTransaction = !idle.stream.connection.isAutocommit;
    this.#end(idle.stream);
    this.#rememberExpired(baton);
    this.#options.log(
      `stream expired after ${this.#options.idleStreamMs} ms idle${hadTransaction ? '; its open transaction was rolled back' : ''}`,
    );
  }

  #rememberExpired(baton: string): void {
    const now = Date.now();
    for (const [old, at] of this.#expired) {
      if (now - at < REMEMBER_EXPIRED_MS && this.#expired.size < REMEMBER_EXPIRED_MAX) break;
      this.#expired.delete(old);
    }
    this.#expired.set(baton, now);
  }

  /** A finished stream's connection goes back to the pool if it is clean, else it is closed. */
  #end(stream: Stream): void {
    const { connection } = stream;
    if (!this.closing && this.#pool.length < POOL_SIZE && connection.reset()) this.#pool.push(connection);
    else connection.close();
  }
}
