/**
 * Hrana over HTTP (versions 2 and 3), as the server sees it once a request body is decoded. The JSON codec
 * (json-codec.ts, the only encoding a client of the project sends) translates between these shapes and the wire.
 * Spec: https://github.com/tursodatabase/libsql/blob/main/docs/HRANA_3_SPEC.md
 */

/** A SQLite value as the libsql driver binds and returns it: INTEGER is always a bigint, REAL a number. */
export type SqlValue = null | bigint | number | string | Uint8Array;

export type HranaVersion = 2 | 3;

export interface HranaError {
  message: string;
  code: string | null;
}

export interface Stmt {
  sql: string | null;
  sqlId: number | null;
  args: SqlValue[];
  namedArgs: { name: string; value: SqlValue }[];
  wantRows: boolean;
}

export type BatchCond =
  | { type: 'ok'; step: number }
  | { type: 'error'; step: number }
  | { type: 'not'; cond: BatchCond }
  | { type: 'and'; conds: BatchCond[] }
  | { type: 'or'; conds: BatchCond[] }
  | { type: 'is_autocommit' };

export interface Batch {
  steps: { condition: BatchCond | null; stmt: Stmt }[];
}

export type StreamRequest =
  | { type: 'close' }
  | { type: 'execute'; stmt: Stmt }
  | { type: 'batch'; batch: Batch }
  | { type: 'sequence'; sql: string | null; sqlId: number | null }
  | { type: 'describe'; sql: string | null; sqlId: number | null }
  | { type: 'store_sql'; sqlId: number; sql: string }
  | { type: 'close_sql'; sqlId: number }
  | { type: 'get_autocommit' };

export interface Col {
  name: string | null;
  decltype: string | null;
}

export interface StmtResult {
  cols: Col[];
  rows: SqlValue[][];
  affectedRowCount: number;
  lastInsertRowid: bigint | null;
}

export interface BatchResult {
  stepResults: (StmtResult | null)[];
  stepErrors: (HranaError | null)[];
}

export interface DescribeResult {
  params: { name: string | null }[];
  cols: { name: string; decltype: string | null }[];
  isExplain: boolean;
  isReadonly: boolean;
}

export type StreamResponse =
  | { type: 'close' }
  | { type: 'execute'; result: StmtResult }
  | { type: 'batch'; result: BatchResult }
  | { type: 'sequence' }
  | { type: 'describe'; result: DescribeResult }
  | { type: 'store_sql' }
  | { type: 'close_sql' }
  | { type: 'get_autocommit'; isAutocommit: boolean };

export type StreamResult = { type: 'ok'; response: StreamResponse } | { type: 'error'; error: HranaError };

export interface PipelineRequestBody {
  baton: string | null;
  requests: StreamRequest[];
}

export interface PipelineResponseBody {
  baton: string | null;
  baseUrl: string | null;
  results: StreamResult[];
}

export interface CursorRequestBody {
  baton: string | null;
  batch: Batch;
}

export interface CursorResponseBody {
  baton: string | null;
  baseUrl: string | null;
}

export type CursorEntry =
  | { type: 'step_begin'; step: number; cols: Col[] }
  | { type: 'step_end'; affectedRowCount: number; lastInsertRowid: bigint | null }
  | { type: 'step_error'; step: number; error: HranaError }
  | { type: 'row'; row: SqlValue[] }
  | { type: 'error'; error: HranaError };

/** Translates request bodies from, and response bodies to, one wire encoding. */
export interface Codec {
  readonly contentType: string;
  decodePipelineRequest(body: Buffer): PipelineRequestBody;
  encodePipelineResponse(body: PipelineResponseBody): Buffer;
  decodeCursorRequest(body: Buffer): CursorRequestBody;
  /** The cursor response: its head, then one framed item per entry (JSON lines). */
  encodeCursorResponse(head: CursorResponseBody, entries: CursorEntry[]): Buffer;
  encodeError(error: HranaError): Buffer;
}
