/**
 * The three kinds of failure the server reports, shaped as sqld (Turso's server) reports them:
 * - a SQL error is a Hrana `Error` inside an otherwise successful response;
 * - a request that breaks the protocol is HTTP 400 with a plain-text reason;
 * - a stream that is gone is HTTP 500 with a Hrana `Error` body, so the client raises a LibsqlError with its code.
 */
import type { HranaError } from './protocol.ts';

/** The request violates the protocol (bad body, unknown baton, a v3 feature on v2…): HTTP 400. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** The stream named by the baton exists no more (idle expiry, shutdown): HTTP 500 with a Hrana error body. */
export class StreamGoneError extends Error {
  override name = 'StreamGoneError';
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

/** A statement-level failure that is not SQLite's (sqld's own codes, e.g. SQL_MANY_STATEMENTS). */
export class StatementError extends Error {
  override name = 'StatementError';
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

const SQLITE_BASE_CODES: Record<number, string> = {
  1: 'SQLITE_ERROR',
  2: 'SQLITE_INTERNAL',
  3: 'SQLITE_PERM',
  4: 'SQLITE_ABORT',
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  7: 'SQLITE_NOMEM',
  8: 'SQLITE_READONLY',
  9: 'SQLITE_INTERRUPT',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  12: 'SQLITE_NOTFOUND',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  15: 'SQLITE_PROTOCOL',
  16: 'SQLITE_EMPTY',
  17: 'SQLITE_SCHEMA',
  18: 'SQLITE_TOOBIG',
  19: 'SQLITE_CONSTRAINT',
  20: 'SQLITE_MISMATCH',
  21: 'SQLITE_MISUSE',
  22: 'SQLITE_NOLFS',
  23: 'SQLITE_AUTH',
  24: 'SQLITE_FORMAT',
  25: 'SQLITE_RANGE',
  26: 'SQLITE_NOTADB',
};

/** SQLite's raw result code for an error from the libsql driver, if it is one. */
export function sqliteRawCode(error: unknown): number | undefined {
  const rawCode = (error as { rawCode?: unknown } | null)?.rawCode;
  return typeof rawCode === 'number' ? rawCode : undefined;
}

/**
 * Any error raised while running SQL → the Hrana error the client sees. SQLite errors carry the *base* code
 * (`SQLITE_CONSTRAINT`, not `SQLITE_CONSTRAINT_UNIQUE`) and a "SQLite error: " prefix, as sqld sends them:
 * the remote client has no field for the extended code, and the embedded client reports the base code in
 * `code` too (the extended one is in its `extendedCode`).
 */
export function toHranaError(error: unknown): HranaError {
  if (error instanceof StatementError) return { message: error.message, code: error.code };
  const rawCode = sqliteRawCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (rawCode === undefined) return { message, code: 'UNKNOWN' };
  return { message: `SQLite error: ${message}`, code: SQLITE_BASE_CODES[rawCode & 0xff] ?? 'SQLITE_UNKNOWN' };
}
