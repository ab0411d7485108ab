/** The server's response shapes → Hrana 3 Protobuf (field numbers from the spec's appendix). */
import type {
  Col,
  CursorEntry,
  HranaError,
  PipelineResponseBody,
  SqlValue,
  StmtResult,
  StreamResponse,
  StreamResult,
} from './protocol.ts';
import { ProtoWriter } from './protobuf.ts';

export function encodePipelineResponseBody(body: PipelineResponseBody): Buffer {
  const w = new ProtoWriter();
  if (body.baton !== null) w.string(1, body.baton);
  if (body.baseUrl !== null) w.string(2, body.baseUrl);
  for (const result of body.results) w.message(3, (r) => streamResult(r, result));
  return w.finish();
}

export function encodeCursorResponseBody(baton: string | null, baseUrl: string | null): Buffer {
  const w = new ProtoWriter();
  if (baton !== null) w.string(1, baton);
  if (baseUrl !== null) w.string(2, baseUrl);
  return w.finish();
}

export const encodeCursorEntry = (entry: CursorEntry): Buffer => cursorEntry(new ProtoWriter(), entry).finish();
export const encodeError = (error: HranaError): Buffer => hranaError(new ProtoWriter(), error).finish();

function hranaError(w: ProtoWriter, error: HranaError): ProtoWriter {
  w.string(1, error.message);
  if (error.code !== null) w.string(2, error.code);
  return w;
}

function streamResult(w: ProtoWriter, result: StreamResult): void {
  if (result.type === 'ok') w.message(1, (r) => streamResponse(r, result.response));
  else w.message(2, (e) => hranaError(e, result.error));
}

const RESPONSE_TAGS: Record<StreamResponse['type'], number> = {
  close: 1,
  execute: 2,
  batch: 3,
  sequence: 4,
  describe: 5,
  store_sql: 6,
  close_sql: 7,
  get_autocommit: 8,
};

function streamResponse(w: ProtoWriter, response: StreamResponse): void {
  w.message(RESPONSE_TAGS[response.type], (r) => {
    if (response.type === 'execute') r.message(1, (s) => stmtResult(s, response.result));
    else if (response.type === 'batch') {
      r.message(1, (b) => {
        response.result.stepResults.forEach(
          (result, step) => result && b.message(1, (e) => e.uint(1, step).message(2, (s) => stmtResult(s, result))),
        );
        response.result.stepErrors.forEach(
          (error, step) => error && b.message(2, (e) => e.uint(1, step).message(2, (x) => hranaError(x, error))),
        );
      });
    } else if (response.type === 'describe') {
      const { params, cols, isExplain, isReadonly } = response.result;
      r.message(1, (d) => {
        for (const p of params) d.message(1, (m) => col(m, { name: p.name, decltype: null }));
        for (const c of cols) d.message(2, (m) => col(m, c));
        d.bool(3, isExplain).bool(4, isReadonly);
      });
    } else if (response.type === 'get_autocommit') r.bool(1, response.isAutocommit);
  });
}

function col(w: ProtoWriter, c: Col): void {
  if (c.name !== null) w.string(1, c.name);
  if (c.decltype !== null) w.string(2, c.decltype);
}

function row(w: ProtoWriter, values: SqlValue[]): void {
  for (const value of values) {
    w.message(1, (v) => {
      if (value === null) v.message(1, () => {});
      else if (typeof value === 'bigint') v.sint64(2, value);
      else if (typeof value === 'number') v.double(3, value);
      else if (typeof value === 'string') v.string(4, value);
      else v.bytes(5, value);
    });
  }
}

function stmtResult(w: ProtoWriter, result: StmtResult): void {
  for (const c of result.cols) w.message(1, (m) => col(m, c));
  for (const values of result.rows) w.message(2, (m) => row(m, values));
  w.uint(3, result.affectedRowCount);
  if (result.lastInsertRowid !== null) w.sint64(4, result.lastInsertRowid);
}

function cursorEntry(w: ProtoWriter, entry: CursorEntry): ProtoWriter {
  switch (entry.type) {
    case 'step_begin':
      return w.message(1, (m) => {
        m.uint(1, entry.step);
        for (const c of entry.cols) m.message(2, (x) => col(x, c));
      });
    case 'step_end':
      return w.message(2, (m) => {
        m.uint(1, entry.affectedRowCount);
        if (entry.lastInsertRowid !== null) m.sint64(2, entry.lastInsertRowid);
      });
    case 'step_error':
      return w.message(3, (m) => m.uint(1, entry.step).message(2, (x) => hranaError(x, entry.error)));
    case 'row':
      return w.message(4, (m) => row(m, entry.row));
    case 'error':
      return w.message(5, (m) => hranaError(m, entry.error));
  }
}
