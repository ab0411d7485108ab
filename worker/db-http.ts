/**
 * The Worker's database client: libSQL's HTTP API (Hrana v2, JSON) spoken directly, one `fetch` per call
 * (DESIGN.md, "Cost per request"). It answers `execute` and `batch`, which is everything drizzle and the retry
 * layer ask of a client, reads and writes alike; the `@libsql/client` it stands in for is made only for what
 * only that client does (an interactive `transaction()`, `executeMultiple`, `migrate`, `sync`), afresh for each
 * such call, and for a database URL this module doesn't speak to (a `ws:` URL, query options).
 *
 * Why: the client builds, on every request, its config, an HTTP client, a concurrency limiter, and per call a
 * stream, a pipeline queue and an Error with a stack (its `ClientError` made up front), and it decodes each cell
 * through its protocol layer into rows built with two `Object.defineProperty` calls per cell. Here a call is a
 * JSON body, a `fetch`, and the answer's cells read once.
 *
 * The requests are the ones the client itself sends: one pipeline of the statement (or a batch of BEGIN, the
 * statements each run only if the one before succeeded, COMMIT, and ROLLBACK if COMMIT didn't run) and a
 * `close`; numbers sent as floats and integers read as numbers, as the client does by default. A read (a
 * read-only statement, or a batch of them) comes back with its rows as plain arrays, which is all drizzle's
 * builder queries read; anything that writes comes back with rows as the client builds them (readable by index
 * and by column name), since a write's few rows are read by name too (`db.all(sql…RETURNING…)`). Failures carry
 * what the retry layer (db-retry.ts) reads: the HTTP status, or SQLite's code, and the database's message
 * (a trigger's RAISE text, the unique index's `table.column`) as the client words it, `CODE: message`.
 */
import {
  createClient,
  type Client,
  type InArgs,
  type InStatement,
  type InValue,
  type ResultSet,
  type Row,
  type Transaction,
  type TransactionMode,
} from '@libsql/client/web';
import { isReadOnly } from './db-retry.ts';

type HranaValue =
  | { type: 'null' }
  | { type: 'integer'; value: string }
  | { type: 'float'; value: number }
  | { type: 'text'; value: string }
  | { type: 'blob'; base64: string };

interface HranaStmt {
  sql: string;
  args: HranaValue[];
  named_args: { name: string; value: HranaValue }[];
  want_rows: true;
}

interface HranaStmtResult {
  cols: { name: string | null; decltype: string | null }[];
  rows: HranaValue[][];
  affected_row_count: number;
  last_insert_rowid: string | null;
}

interface HranaError {
  message: string;
  code?: string | null;
}

type StreamResponse =
  | { type: 'execute'; result: HranaStmtResult }
  | { type: 'batch'; result: { step_results: (HranaStmtResult | null)[]; step_errors: (HranaError | null)[] } }
  | { type: 'close' };

type StreamResult = { type: 'ok'; response: StreamResponse } | { type: 'error'; error: HranaError };

type BatchCond = { type: 'ok'; step: number } | { type: 'not'; cond: BatchCond };

/** A statement as `Client.batch` takes it: a statement, or the `[sql, args]` pair. */
type BatchStatement = InStatement | [string, InArgs?];

/** A failure the database reported for a statement; `code` is SQLite's (SQLITE_BUSY, SQLITE_ERROR, …). */
export class DbResponseError extends Error {
  override readonly name = 'DbResponseError';
  readonly code: string;
  constructor(message: string, code: string) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}

/** The HTTP request itself was answered with an error status (a proxy's 502, a 429, …). */
export class DbHttpError extends Error {
  override readonly name = 'DbHttpError';
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

const BEGIN: Record<TransactionMode, string> = {
  write: 'BEGIN IMMEDIATE',
  read: 'BEGIN TRANSACTION READONLY',
  deferred: 'BEGIN DEFERRED',
};

/** The pipeline endpoint for a database URL, or null when this module doesn't speak to it (the client will). */
export function pipelineUrl(databaseUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return null;
  }
  // Query options (tls=0, authToken=…) change how the client connects: leave those URLs to it.
  if (url.search !== '' || url.username !== '' || url.password !== '') return null;
  const scheme = url.protocol === 'libsql:' ? 'https:' : url.protocol;
  if (scheme !== 'https:' && scheme !== 'http:') return null;
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  return `${scheme}//${url.host}${path}v2/pipeline`;
}

/**
 * A client of the database at `url`: this module's over HTTP, or, for a URL it doesn't speak to, the libSQL
 * client itself.
 */
export function databaseClient(url: string, authToken: string | undefined): Client {
  const endpoint = pipelineUrl(url);
  if (!endpoint) return createClient({ url, authToken });
  return new HttpDbClient(endpoint, url, authToken);
}

/**
 * `Client` over libSQL's HTTP API. It holds no connection, queue or pending promise between calls: each call
 * makes its own `fetch` and awaits it itself, and the libSQL client is made afresh for each call that needs it,
 * so one instance may serve any number of callers at once.
 */
export class HttpDbClient implements Client {
  readonly protocol = 'http';
  closed = false;
  readonly #endpoint: string;
  readonly #url: string;
  readonly #authToken: string | undefined;
  readonly #headers: Record<string, string>;

  constructor(endpoint: string, url: string, authToken: string | undefined) {
    this.#endpoint = endpoint;
    this.#url = url;
    this.#authToken = authToken;
    this.#headers = authToken
      ? { 'content-type': 'application/json', authorization: `Bearer ${authToken}` }
      : { 'content-type': 'application/json' };
  }

  execute(statement: InStatement): Promise<ResultSet>;
  execute(sql: string, args?: InArgs): Promise<ResultSet>;
  async execute(statementOrSql: InStatement, args?: InArgs): Promise<ResultSet> {
    const statement: InStatement = args === undefined ? statementOrSql : { sql: sqlOf(statementOrSql), args };
    const response = await this.#pipeline({ type: 'execute', stmt: toHrana(statement) });
    if (response.type !== 'execute') throw new DbResponseError('Unexpected answer', 'PROTOCOL');
    return toResultSet(response.result, isReadOnly(statement));
  }

  async batch(input: BatchStatement[], mode: TransactionMode = 'deferred'): Promise<ResultSet[]> {
    const statements = input.map(normalized);
    const arrayRows = statements.every(isReadOnly);
    // Step 0 begins; step i runs statement i-1 if step i-1 succeeded; then COMMIT, and ROLLBACK if it didn't run.
    const steps: { condition?: BatchCond; stmt: HranaStmt }[] = [{ stmt: toHrana(BEGIN[mode]) }];
    for (const statement of statements)
      steps.push({ condition: { type: 'ok', step: steps.length - 1 }, stmt: toHrana(statement) });
    const commit = steps.length;
    steps.push({ condition: { type: 'ok', step: commit - 1 }, stmt: toHrana('COMMIT') });
    steps.push({ condition: { type: 'not', cond: { type: 'ok', step: commit } }, stmt: toHrana('ROLLBACK') });
    const response = await this.#pipeline({ type: 'batch', batch: { steps } });
    if (response.type !== 'batch') throw new DbResponseError('Unexpected answer', 'PROTOCOL');
    const { step_results: results, step_errors: errors } = response.result;
    const sets: ResultSet[] = [];
    for (let step = 0; step <= statements.length; step++) {
      const error = errors[step];
      if (error) throw responseError(error);
      if (step === 0) continue;
      const stepResult = results[step];
      if (!stepResult)
        throw new DbResponseError(
          'A statement in the batch was not run (the transaction was rolled back)',
          'TRANSACTION_CLOSED',
        );
      sets.push(toResultSet(stepResult, arrayRows));
    }
    if (errors[commit]) throw responseError(errors[commit]);
    return sets;
  }

  // What only the libSQL client does: a client of its own for each call (nothing of it outlives the call but
  // what the call returns, such as a transaction, which holds its own stream).
  migrate(statements: InStatement[]): Promise<ResultSet[]> {
    return this.#libsql().migrate(statements);
  }

  transaction(mode?: TransactionMode): Promise<Transaction> {
    return this.#libsql().transaction(mode);
  }

  executeMultiple(sql: string): Promise<void> {
    return this.#libsql().executeMultiple(sql);
  }

  sync(): ReturnType<Client['sync']> {
    return this.#libsql().sync();
  }

  close(): void {
    this.closed = true;
  }

  reconnect(): void {
    this.closed = false;
  }

  #libsql(): Client {
    return createClient({ url: this.#url, authToken: this.#authToken });
  }

  async #pipeline(request: object): Promise<StreamResponse> {
    const response = await fetch(this.#endpoint, {
      method: 'POST',
      headers: this.#headers,
      body: JSON.stringify({ baton: null, requests: [request, { type: 'close' }] }),
    });
    if (!response.ok) throw await httpError(response);
    const body = (await response.json()) as { results: StreamResult[] };
    const result = body.results[0];
    if (!result) throw new DbResponseError('The database answered no result', 'PROTOCOL');
    if (result.type === 'error') throw responseError(result.error);
    return result.response;
  }
}

const normalized = (s: BatchStatement): InStatement => (Array.isArray(s) ? { sql: s[0], args: s[1] ?? [] } : s);

const sqlOf = (s: InStatement) => (typeof s === 'string' ? s : s.sql);

function toHrana(statement: InStatement): HranaStmt {
  if (typeof statement === 'string') return { sql: statement, args: [], named_args: [], want_rows: true };
  const { sql, args } = statement;
  if (args === undefined || Array.isArray(args))
    return { sql, args: (args ?? []).map(valueToHrana), named_args: [], want_rows: true };
  const named_args = Object.entries(args).map(([name, value]) => ({ name, value: valueToHrana(value) }));
  return { sql, args: [], named_args, want_rows: true };
}

/** As the libSQL client encodes arguments: a JS number is a float, a bigint or boolean an integer. */
function valueToHrana(value: InValue | undefined): HranaValue {
  if (value === null || value === undefined) return { type: 'null' };
  if (typeof value === 'string') return { type: 'text', value };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('Only finite numbers can be passed as arguments');
    return { type: 'float', value };
  }
  if (typeof value === 'bigint') return { type: 'integer', value: String(value) };
  if (typeof value === 'boolean') return { type: 'integer', value: value ? '1' : '0' };
  if (value instanceof Date) return { type: 'float', value: value.valueOf() };
  const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : value;
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return { type: 'blob', base64: btoa(binary) };
}

/** As the libSQL client decodes a cell by default: an integer as a number (refused beyond 2^53), a blob as bytes. */
function valueFromHrana(value: HranaValue): InValue {
  switch (value.type) {
    case 'null':
      return null;
    case 'integer': {
      const number = Number(value.value);
      if (!Number.isSafeInteger(number))
        throw new RangeError('Received integer which is too large to be safely represented as a JavaScript number');
      return number;
    }
    case 'float':
    case 'text':
      return value.value;
    case 'blob':
      return Uint8Array.from(atob(value.base64), (c) => c.charCodeAt(0)).buffer;
  }
}

/**
 * A statement's answer. A read's rows are arrays (cells by index, the only way drizzle's builder queries read
 * them; the type says Row for drizzle's sake); a write's rows are built as the libSQL client builds them, cells
 * by index (not enumerable) and by column name, for the raw SQL among writes that is read by name.
 */
function toResultSet(result: HranaStmtResult, arrayRows: boolean): ResultSet {
  const names = result.cols.map((c) => c.name);
  const rows = arrayRows
    ? result.rows.map((row) => row.map(valueFromHrana))
    : result.rows.map((row) => namedRow(names, row));
  const columns = names.map((name) => name ?? '');
  const columnTypes = result.cols.map((c) => c.decltype ?? '');
  const lastInsertRowid = result.last_insert_rowid === null ? undefined : BigInt(result.last_insert_rowid);
  return {
    columns,
    columnTypes,
    rows: rows as unknown as Row[],
    rowsAffected: result.affected_row_count,
    lastInsertRowid,
    toJSON: () => ({ columns, columnTypes, rows, rowsAffected: result.affected_row_count }),
  };
}

/** As the client's rows: `length` and the cells by index not enumerable, each column's name (the first of a name). */
function namedRow(names: (string | null)[], cells: HranaValue[]): Row {
  const row = {};
  Object.defineProperty(row, 'length', { value: cells.length });
  for (let i = 0; i < cells.length; i++) {
    const value = valueFromHrana(cells[i]!);
    Object.defineProperty(row, i, { value });
    const name = names[i];
    if (name != null && !Object.hasOwn(row, name))
      Object.defineProperty(row, name, { value, enumerable: true, configurable: true, writable: true });
  }
  return row as Row;
}

function responseError(error: HranaError): DbResponseError {
  return new DbResponseError(error.message, error.code ?? 'UNKNOWN');
}

async function httpError(response: Response): Promise<DbHttpError> {
  const text = (await response.text()).trim();
  let message = `Server returned HTTP status ${response.status}`;
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string') message += `: ${body.message}`;
  } catch {
    if (text) message += `: ${text.slice(0, 200)}`;
  }
  return new DbHttpError(message, response.status);
}
