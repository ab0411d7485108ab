/**
 * Transient database failures, handled in one place for every query the Worker makes (DESIGN.md, "Transient
 * database failures"). The database is a network round trip away (Turso, or the dev server), and a round trip
 * can fail without saying whether the statements ran: a connection lost mid-request, a proxy's 502, a timeout.
 *
 * - A read is retried: running it twice changes nothing.
 * - A write batch is made safe to run twice by construction: it opens with the insert of a write receipt (a
 *   random id, primary key). If the answer is lost and the batch runs again, either the first run never
 *   committed, and the second does the work once, or it did, and the second run's receipt is refused, which
 *   rolls the whole second run back and tells us the first committed. Then the write happened exactly once, but
 *   its results are gone: the caller gets `WriteAnswerLost` (a 503 that says the change was saved).
 *
 * A failed request is reported with its cause first and the first 200 characters of its SQL after, never its
 * parameters (they hold emails and token hashes).
 */
import type { Client, InStatement, ResultSet, TransactionMode } from '@libsql/client/web';
import { DomainError } from './errors.ts';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** The backoff before try n is a random time up to base × 2^(n-2), capped at maxDelayMs ("full jitter"). */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 50, maxDelayMs: 800 };

/** Receipts older than this are deleted by the cron: a retry comes seconds after its first try, never a day. */
export const WRITE_RECEIPT_TTL_MS = 24 * 60 * 60 * 1000;

const RECEIPT_SQL = 'INSERT INTO write_receipts (id, at) VALUES (?, ?)';
const RECEIPT_CONFLICT = 'write_receipts.id';
const SQL_IN_LOGS = 200;

/** The write committed, but the answer that says so (and what it returned) was lost on the way back. */
export class WriteAnswerLost extends DomainError {
  constructor(cause: unknown) {
    super(
      'answer_lost',
      503,
      'Your change was saved, but its confirmation was lost on the way. Reload the page to see it.',
      { headers: { 'Retry-After': '1' } },
    );
    this.cause = cause;
  }
}

/** A request to the database that failed for a transient reason on every try. */
export class DbRequestError extends Error {
  override readonly name = 'DbRequestError';
}

type Transient = 'not_run' | 'unknown_outcome';

/**
 * Whether a failure is worth another try, and whether the statements may have run. SQLITE_BUSY, a 429 and a 503
 * are refusals before anything ran; a lost connection, a timeout and any other 5xx leave the outcome unknown.
 */
export function transientKind(error: unknown): Transient | null {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    const status = (e as { status?: unknown }).status;
    const message = e instanceof Error ? e.message : '';
    if (code === 'SQLITE_BUSY' || /database is locked/i.test(message)) return 'not_run';
    if (typeof status === 'number') {
      if (status === 429 || status === 503) return 'not_run';
      if (status >= 500) return 'unknown_outcome';
    }
    if (
      /network connection lost|fetch failed|socket hang up|other side closed|connection (was )?(reset|closed|refused|lost)|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|timed? ?out/i.test(
        message,
      )
    )
      return 'unknown_outcome';
  }
  return null;
}

/** One line for a log: the cause (message, code, HTTP status) first, then where it happened, never parameters. */
export function describeDbFailure(error: unknown, statements: readonly InStatement[]): string {
  const causes: string[] = [];
  for (let e: unknown = error; e && causes.length < 4; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    const status = (e as { status?: unknown }).status;
    const first = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    // libSQL repeats its code in front of the message; it is shown once, after it.
    const text = typeof code === 'string' ? first.replaceAll(`${code}: `, '') : first;
    const extras = [typeof code === 'string' ? code : null, typeof status === 'number' ? `HTTP ${status}` : null]
      .filter(Boolean)
      .join(' / ');
    const part = extras ? `${text} (${extras})` : text;
    if (!causes.some((c) => c.includes(text))) causes.push(part);
  }
  const sql = statements
    .map(sqlOf)
    .filter((s) => s !== RECEIPT_SQL)
    .join('; ')
    .replace(/\s+/g, ' ');
  const where = sql.length > SQL_IN_LOGS ? `${sql.slice(0, SQL_IN_LOGS)}…` : sql;
  return `DB request failed: ${causes.join(' ← ')} — in: ${where}`;
}

const sqlOf = (s: InStatement) => (typeof s === 'string' ? s : s.sql);

/** A statement that only reads: running it again changes nothing. */
export function isReadOnly(statement: InStatement): boolean {
  const sql = sqlOf(statement);
  if (/^\s*select\b/i.test(sql)) return true;
  return /^\s*with\b/i.test(sql) && !/\b(insert|update|delete|replace)\b/i.test(sql);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const backoff = (policy: RetryPolicy, attempt: number) =>
  Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));

/**
 * The client with retries: reads and receipted write batches. Everything else (transactions, migrations, close)
 * passes through untouched.
 */
export function withRetries(client: Client, policy: RetryPolicy = DEFAULT_RETRY): Client {
  async function read<T>(statements: InStatement[], run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        if (!transientKind(error)) throw error;
        if (attempt >= policy.attempts)
          throw new DbRequestError(describeDbFailure(error, statements), { cause: error });
        await sleep(backoff(policy, attempt));
      }
    }
  }

  async function write(statements: InStatement[], mode: TransactionMode): Promise<ResultSet[]> {
    const receipt: InStatement = { sql: RECEIPT_SQL, args: [crypto.randomUUID(), Date.now()] };
    let outcomeUnknown = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const [, ...results] = await client.batch([receipt, ...statements], mode);
        return results;
      } catch (error) {
        // Our own receipt already there: an earlier try committed (only a retry can meet it).
        if (outcomeUnknown && isReceiptConflict(error)) throw new WriteAnswerLost(error);
        const kind = transientKind(error);
        if (!kind) throw error;
        if (kind === 'unknown_outcome') outcomeUnknown = true;
        if (attempt >= policy.attempts)
          throw new DbRequestError(describeDbFailure(error, statements), { cause: error });
        await sleep(backoff(policy, attempt));
      }
    }
  }

  const execute = async (statementOrSql: InStatement, args?: unknown): Promise<ResultSet> => {
    const statement: InStatement =
      args === undefined ? statementOrSql : { sql: sqlOf(statementOrSql), args: args as never };
    if (isReadOnly(statement)) return read([statement], () => client.execute(statement));
    const [result] = await write([statement], 'write');
    return result!;
  };

  const batch = async (statements: InStatement[], mode: TransactionMode = 'deferred'): Promise<ResultSet[]> => {
    if (mode === 'read' || statements.every(isReadOnly)) return read(statements, () => client.batch(statements, mode));
    return write(statements, mode);
  };

  return withClientMethods(client, execute, batch);
}

/** The client with its `execute` and `batch` answered by the given functions, everything else its own. */
export function withClientMethods(client: Client, execute: Client['execute'], batch: Client['batch']): Client {
  return new Proxy(client, {
    get(target, property) {
      if (property === 'execute') return execute;
      if (property === 'batch') return batch;
      const value: unknown = Reflect.get(target, property, target);
      // The client keeps private fields: its own methods must run with the client itself as `this`.
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function isReceiptConflict(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof Error && e.message.includes(RECEIPT_CONFLICT)) return true;
  }
  return false;
}
