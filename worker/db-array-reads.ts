/**
 * Reads over libSQL's HTTP API (Hrana v2, JSON) whose rows come back as plain arrays (DESIGN.md, "Cost per
 * request"). The libSQL client decodes each cell through its protocol layer (a `{type, value}` object read
 * into a BigInt, then a number) and builds each row as an object with two `Object.defineProperty` calls per
 * cell; drizzle then reads those rows by index and copies the cells out again. A calendar read is a hundred
 * rows or more, so that decoding was the largest CPU cost Slotcast's own code caused on a read. Drizzle's
 * queries with selected fields (every query the Worker makes) only ever read a row by index, so an array is
 * all they need.
 *
 * Only statements that read go this way, on their own or in a batch; writes, transactions and everything
 * else stay with the libSQL client (the returned client is the given one with `execute` and `batch` taken
 * over for reads). The requests are the ones the client itself sends: one pipeline of the statement (or a
 * batch of BEGIN, the statements each run only if the one before succeeded, COMMIT, and ROLLBACK if COMMIT
 * didn't run) and a `close`, numbers sent as floats and integers read as numbers, as the client does by
 * default. Failures carry what the retry layer (db-retry.ts) reads: the HTTP status, or the SQLite code.
 */
import type { Client, InStatement, InValue, ResultSet, Row, TransactionMode } from '@libsql/client/web';
import { isReadOnly, withClientMethods } from './db-retry.ts';

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
 * The client, with its reads answered as array rows straight from the HTTP API. `url` is the database's URL
 * as configured; for one this module can't speak to (a `ws:` URL, query options), the client is returned as is.
 */
export function withArrayReads(client: Client, url: string, authToken: string | undefined): Client {
  const endpoint = pipelineUrl(url);
  if (!endpoint) return client;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authToken) headers.authorization = `Bearer ${authToken}`;

  async function pipeline(request: object): Promise<StreamResponse> {
    const response = await fetch(endpoint!, {
      method: 'POST',
      headers,
      body: JSON.stringify({ baton: null, requests: [request, { type: 'close' }] }),
    });
    if (!response.ok) throw await httpError(response);
    const body = (await response.json()) as { results: StreamResult[] };
    const result = body.results[0];
    if (!result) throw new DbResponseError('The database answered no result', 'PROTOCOL');
    if (result.type === 'error') throw responseError(result.error);
    return result.response;
  }

  const execute = async (statementOrSql: InStatement, args?: unknown): Promise<ResultSet> => {
    const statement: InStatement =
      args === undefined ? statementOrSql : { sql: sqlOf(statementOrSql), args: args as InValue[] };
    if (!isReadOnly(statement)) return client.execute(statement);
    const response = await pipeline({ type: 'execute', stmt: toHrana(statement) });
    if (response.type !== 'execute') throw new DbResponseError('Unexpected answer', 'PROTOCOL');
    return toResultSet(response.result);
  };

  const batch = async (statements: InStatement[], mode: TransactionMode = 'deferred'): Promise<ResultSet[]> => {
    if (mode === 'write' || !statements.every(isReadOnly)) return client.batch(statements, mode);
    // Step 0 begins; step i runs statement i-1 if step i-1 succeeded; then COMMIT, and ROLLBACK if it didn't run.
    const steps: { condition?: BatchCond; stmt: HranaStmt }[] = [{ stmt: toHrana(BEGIN[mode]) }];
    for (const statement of statements)
      steps.push({ condition: { type: 'ok', step: steps.length - 1 }, stmt: toHrana(statement) });
    const commit = steps.length;
    steps.push({ condition: { type: 'ok', step: commit - 1 }, stmt: toHrana('COMMIT') });
    steps.push({ condition: { type: 'not', cond: { type: 'ok', step: commit } }, stmt: toHrana('ROLLBACK') });
    const response = await pipeline({ type: 'batch', batch: { steps } });
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
      sets.push(toResultSet(stepResult));
    }
    if (errors[commit]) throw responseError(errors[commit]);
    return sets;
  };

  return withClientMethods(client, execute, batch);
}

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

/** Rows as arrays (cells by index, the only way drizzle reads them); the type says Row for drizzle's sake. */
function toResultSet(result: HranaStmtResult): ResultSet {
  const rows = result.rows.map((row) => row.map(valueFromHrana));
  const columns = result.cols.map((c) => c.name ?? '');
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
