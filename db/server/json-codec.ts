/** Hrana's JSON encoding (the canonical one, and the one `@libsql/client` uses: `POST /v2/pipeline`). */
import { ProtocolError } from './errors.ts';
import type {
  Batch,
  BatchCond,
  Codec,
  Col,
  CursorEntry,
  HranaError,
  PipelineResponseBody,
  SqlValue,
  Stmt,
  StmtResult,
  StreamRequest,
  StreamResponse,
  StreamResult,
} from './protocol.ts';
import { decodeJsonValue, encodeJsonValue } from './values.ts';

type Json = Record<string, unknown>;

export const jsonCodec: Codec = {
  contentType: 'application/json',
  decodePipelineRequest(body) {
    const root = parse(body);
    return { baton: optString(root.baton, 'baton'), requests: array(root.requests, 'requests').map(streamRequest) };
  },
  encodePipelineResponse(body: PipelineResponseBody) {
    return json({ baton: body.baton, base_url: body.baseUrl, results: body.results.map(streamResult) });
  },
  decodeCursorRequest(body) {
    const root = parse(body);
    return { baton: optString(root.baton, 'baton'), batch: batch(root.batch) };
  },
  encodeCursorResponse(head, entries) {
    const lines = [{ baton: head.baton, base_url: head.baseUrl }, ...entries.map(cursorEntry)];
    return Buffer.from(lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
  },
  encodeError: (error) => json(error),
};

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

function parse(body: Buffer): Json {
  try {
    return object(JSON.parse(body.toString('utf8')), 'request body');
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    throw new ProtocolError('the request body is not valid JSON');
  }
}

function object(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ProtocolError(`${what} must be an object`);
  return value as Json;
}
function array(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new ProtocolError(`${what} must be an array`);
  return value;
}
function optString(value: unknown, what: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new ProtocolError(`${what} must be a string`);
  return value;
}
function string(value: unknown, what: string): string {
  const text = optString(value, what);
  if (text === null) throw new ProtocolError(`${what} is required`);
  return text;
}
function optInt(value: unknown, what: string): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isInteger(value)) throw new ProtocolError(`${what} must be an integer`);
  return value as number;
}
function int(value: unknown, what: string): number {
  const n = optInt(value, what);
  if (n === null) throw new ProtocolError(`${what} is required`);
  return n;
}

function streamRequest(raw: unknown): StreamRequest {
  const r = object(raw, 'a request');
  switch (r.type) {
    case 'close':
    case 'get_autocommit':
      return { type: r.type };
    case 'execute':
      return { type: 'execute', stmt: stmt(r.stmt) };
    case 'batch':
      return { type: 'batch', batch: batch(r.batch) };
    case 'sequence':
    case 'describe':
      return { type: r.type, sql: optString(r.sql, 'sql'), sqlId: optInt(r.sql_id, 'sql_id') };
    case 'store_sql':
      return { type: 'store_sql', sqlId: int(r.sql_id, 'sql_id'), sql: string(r.sql, 'sql') };
    case 'close_sql':
      return { type: 'close_sql', sqlId: int(r.sql_id, 'sql_id') };
    default:
      throw new ProtocolError(`unknown request type ${JSON.stringify(r.type)}`);
  }
}

function stmt(raw: unknown): Stmt {
  const s = object(raw, 'stmt');
  const namedArgs = array(s.named_args ?? [], 'named_args').map((arg) => {
    const a = object(arg, 'a named argument');
    return { name: string(a.name, 'a named argument name'), value: decodeJsonValue(a.value) };
  });
  if (s.want_rows !== undefined && s.want_rows !== null && typeof s.want_rows !== 'boolean')
    throw new ProtocolError('want_rows must be a boolean');
  return {
    sql: optString(s.sql, 'sql'),
    sqlId: optInt(s.sql_id, 'sql_id'),
    args: array(s.args ?? [], 'args').map(decodeJsonValue),
    namedArgs,
    wantRows: s.want_rows !== false,
  };
}

function batch(raw: unknown): Batch {
  const steps = array(object(raw, 'batch').steps, 'steps').map((rawStep) => {
    const step = object(rawStep, 'a batch step');
    return { condition: step.condition == null ? null : cond(step.condition), stmt: stmt(step.stmt) };
  });
  return { steps };
}

function cond(raw: unknown): BatchCond {
  const c = object(raw, 'a batch condition');
  switch (c.type) {
    case 'ok':
    case 'error':
      return { type: c.type, step: int(c.step, 'step') };
    case 'not':
      return { type: 'not', cond: cond(c.cond) };
    case 'and':
    case 'or':
      return { type: c.type, conds: array(c.conds, 'conds').map(cond) };
    case 'is_autocommit':
      return { type: 'is_autocommit' };
    default:
      throw new ProtocolError(`unknown batch condition ${JSON.stringify(c.type)}`);
  }
}

function streamResult(result: StreamResult): Json {
  return result.type === 'ok'
    ? { type: 'ok', response: streamResponse(result.response) }
    : { type: 'error', error: result.error };
}

function streamResponse(response: StreamResponse): Json {
  switch (response.type) {
    case 'execute':
      return { type: 'execute', result: stmtResult(response.result) };
    case 'batch':
      return {
        type: 'batch',
        result: {
          step_results: response.result.stepResults.map((r) => r && stmtResult(r)),
          step_errors: response.result.stepErrors,
        },
      };
    case 'describe': {
      const { params, cols, isExplain, isReadonly } = response.result;
      return { type: 'describe', result: { params, cols, is_explain: isExplain, is_readonly: isReadonly } };
    }
    case 'get_autocommit':
      return { type: 'get_autocommit', is_autocommit: response.isAutocommit };
    default:
      return { type: response.type };
  }
}

function stmtResult(result: StmtResult): Json {
  return {
    cols: result.cols,
    rows: result.rows.map(row),
    affected_row_count: result.affectedRowCount,
    last_insert_rowid: result.lastInsertRowid === null ? null : String(result.lastInsertRowid),
  };
}

const row = (values: SqlValue[]) => values.map(encodeJsonValue);

function cursorEntry(entry: CursorEntry): Json {
  switch (entry.type) {
    case 'step_begin':
      return { type: 'step_begin', step: entry.step, cols: entry.cols satisfies Col[] };
    case 'step_end':
      return {
        type: 'step_end',
        affected_row_count: entry.affectedRowCount,
        last_insert_rowid: entry.lastInsertRowid === null ? null : String(entry.lastInsertRowid),
      };
    case 'step_error':
      return { type: 'step_error', step: entry.step, error: entry.error satisfies HranaError };
    case 'row':
      return { type: 'row', row: row(entry.row) };
    case 'error':
      return { type: 'error', error: entry.error };
  }
}
