/** Hrana 3 Protobuf requests → the server's request shapes (field numbers from the spec's appendix). */
import { ProtocolError } from './errors.ts';
import type { Batch, BatchCond, SqlValue, Stmt, StreamRequest } from './protocol.ts';
import { asBool, asBytes, asDouble, asInt32, asMessage, asSint64, asString, asUint32, fields } from './protobuf.ts';

export function decodePipelineRequestBody(body: Buffer): { baton: string | null; requests: StreamRequest[] } {
  let baton: string | null = null;
  const requests: StreamRequest[] = [];
  for (const f of fields(body)) {
    if (f.tag === 1) baton = asString(f);
    else if (f.tag === 2) requests.push(streamRequest(asMessage(f)));
  }
  return { baton, requests };
}

export function decodeCursorRequestBody(body: Buffer): { baton: string | null; batch: Batch } {
  let baton: string | null = null;
  let batch: Batch | null = null;
  for (const f of fields(body)) {
    if (f.tag === 1) baton = asString(f);
    else if (f.tag === 2) batch = decodeBatch(asMessage(f));
  }
  if (!batch) throw new ProtocolError('a cursor request needs a batch');
  return { baton, batch };
}

function streamRequest(buf: Buffer): StreamRequest {
  let request: StreamRequest | null = null;
  for (const f of fields(buf)) {
    const inner = () => asMessage(f);
    switch (f.tag) {
      case 1:
        request = { type: 'close' };
        break;
      case 2:
        request = { type: 'execute', stmt: decodeStmt(single(inner(), 1, 'execute needs a stmt')) };
        break;
      case 3:
        request = { type: 'batch', batch: decodeBatch(single(inner(), 1, 'batch needs a batch')) };
        break;
      case 4:
        request = { type: 'sequence', ...sqlSource(inner()) };
        break;
      case 5:
        request = { type: 'describe', ...sqlSource(inner()) };
        break;
      case 6: {
        let sqlId = 0;
        let sql = '';
        for (const g of fields(inner())) {
          if (g.tag === 1) sqlId = asInt32(g);
          else if (g.tag === 2) sql = asString(g);
        }
        request = { type: 'store_sql', sqlId, sql };
        break;
      }
      case 7: {
        let sqlId = 0;
        for (const g of fields(inner())) if (g.tag === 1) sqlId = asInt32(g);
        request = { type: 'close_sql', sqlId };
        break;
      }
      case 8:
        request = { type: 'get_autocommit' };
        break;
    }
  }
  if (!request) throw new ProtocolError('a stream request has no recognised type');
  return request;
}

/** The one nested message under `tag`, which the protocol requires. */
function single(buf: Buffer, tag: number, missing: string): Buffer {
  let found: Buffer | null = null;
  for (const f of fields(buf)) if (f.tag === tag) found = asMessage(f);
  if (!found) throw new ProtocolError(missing);
  return found;
}

function sqlSource(buf: Buffer): { sql: string | null; sqlId: number | null } {
  let sql: string | null = null;
  let sqlId: number | null = null;
  for (const f of fields(buf)) {
    if (f.tag === 1) sql = asString(f);
    else if (f.tag === 2) sqlId = asInt32(f);
  }
  return { sql, sqlId };
}

function decodeStmt(buf: Buffer): Stmt {
  const stmt: Stmt = { sql: null, sqlId: null, args: [], namedArgs: [], wantRows: true };
  for (const f of fields(buf)) {
    if (f.tag === 1) stmt.sql = asString(f);
    else if (f.tag === 2) stmt.sqlId = asInt32(f);
    else if (f.tag === 3) stmt.args.push(decodeValue(asMessage(f)));
    else if (f.tag === 4) {
      let name = '';
      let value: SqlValue | undefined;
      for (const g of fields(asMessage(f))) {
        if (g.tag === 1) name = asString(g);
        else if (g.tag === 2) value = decodeValue(asMessage(g));
      }
      if (value === undefined) throw new ProtocolError(`named argument ${name} has no value`);
      stmt.namedArgs.push({ name, value });
    } else if (f.tag === 5) stmt.wantRows = asBool(f);
  }
  return stmt;
}

function decodeValue(buf: Buffer): SqlValue {
  let value: SqlValue | undefined;
  for (const f of fields(buf)) {
    if (f.tag === 1) value = null;
    else if (f.tag === 2) value = asSint64(f);
    else if (f.tag === 3) value = asDouble(f);
    else if (f.tag === 4) value = asString(f);
    else if (f.tag === 5) value = asBytes(f);
  }
  if (value === undefined) throw new ProtocolError('a value has no recognised type');
  return value;
}

function decodeBatch(buf: Buffer): Batch {
  const batch: Batch = { steps: [] };
  for (const f of fields(buf)) {
    if (f.tag !== 1) continue;
    let condition: BatchCond | null = null;
    let stmt: Stmt | null = null;
    for (const g of fields(asMessage(f))) {
      if (g.tag === 1) condition = decodeCond(asMessage(g));
      else if (g.tag === 2) stmt = decodeStmt(asMessage(g));
    }
    if (!stmt) throw new ProtocolError('a batch step needs a stmt');
    batch.steps.push({ condition, stmt });
  }
  return batch;
}

function decodeCond(buf: Buffer): BatchCond {
  let cond: BatchCond | null = null;
  for (const f of fields(buf)) {
    if (f.tag === 1) cond = { type: 'ok', step: asUint32(f) };
    else if (f.tag === 2) cond = { type: 'error', step: asUint32(f) };
    else if (f.tag === 3) cond = { type: 'not', cond: decodeCond(asMessage(f)) };
    else if (f.tag === 4 || f.tag === 5) {
      const conds = [...fields(asMessage(f))].filter((g) => g.tag === 1).map((g) => decodeCond(asMessage(g)));
      cond = { type: f.tag === 4 ? 'and' : 'or', conds };
    } else if (f.tag === 6) cond = { type: 'is_autocommit' };
  }
  if (!cond) throw new ProtocolError('a batch condition has no recognised type');
  return cond;
}
