/**
 * One libSQL connection and what Hrana asks of it: execute, batch with step conditions, sequence, describe.
 * SQL errors become Hrana errors with SQLite's base code (as Turso sends them), so `@libsql/client` raises
 * a LibsqlError whose `code` matches the embedded client's.
 */
import Database from 'libsql';
import type { Batch, BatchCond, HranaError, Stmt, StmtResult } from './protocol.ts';
import { decodeValue, encodeValue, ProtocolError } from './values.ts';

type Db = InstanceType<typeof Database>;

const BASE_CODES: Record<number, string> = {
  1: 'SQLITE_ERROR', 2: 'SQLITE_INTERNAL', 3: 'SQLITE_PERM', 4: 'SQLITE_ABORT', 5: 'SQLITE_BUSY', 6: 'SQLITE_LOCKED',
  7: 'SQLITE_NOMEM', 8: 'SQLITE_READONLY', 9: 'SQLITE_INTERRUPT', 10: 'SQLITE_IOERR', 11: 'SQLITE_CORRUPT',
  12: 'SQLITE_NOTFOUND', 13: 'SQLITE_FULL', 14: 'SQLITE_CANTOPEN', 15: 'SQLITE_PROTOCOL', 16: 'SQLITE_EMPTY',
  17: 'SQLITE_SCHEMA', 18: 'SQLITE_TOOBIG', 19: 'SQLITE_CONSTRAINT', 20: 'SQLITE_MISMATCH', 21: 'SQLITE_MISUSE',
  22: 'SQLITE_NOLFS', 23: 'SQLITE_AUTH', 24: 'SQLITE_FORMAT', 25: 'SQLITE_RANGE', 26: 'SQLITE_NOTADB',
};

export class SqlError extends Error {
  readonly hrana: HranaError;
  constructor(hrana: HranaError) {
    super(hrana.message);
    this.hrana = hrana;
  }
}

export function toHranaError(error: unknown): HranaError {
  if (error instanceof SqlError) return error.hrana;
  const e = error as { message?: string; rawCode?: number; code?: string };
  const code = typeof e.rawCode === 'number' ? BASE_CODES[e.rawCode & 0xff] ?? 'SQLITE_UNKNOWN' : e.code?.startsWith('SQLITE_') ? e.code : 'SQLITE_ERROR';
  return { message: e.message ?? String(error), code };
}

export class Connection {
  readonly db: Db;
  /** Stored SQL texts belong to the stream currently using this connection. */
  storedSql: Map<number, string>;

  constructor(file: string, storedSql: Map<number, string>) {
    this.db = new Database(file);
    // No busy wait: every connection lives in this one process, so a lock holder can't progress while we
    // block. A write that meets a lock fails fast with SQLITE_BUSY and the HTTP layer retries it later.
    this.db.exec('PRAGMA busy_timeout = 0; PRAGMA foreign_keys = ON;');
    this.storedSql = storedSql;
  }

  get autocommit(): boolean {
    return !this.db.inTransaction;
  }

  sqlOf(source: { sql?: string; sql_id?: number }): string {
    if (typeof source.sql === 'string') return source.sql;
    if (typeof source.sql_id === 'number') {
      const sql = this.storedSql.get(source.sql_id);
      if (sql === undefined) throw new ProtocolError(`SQL text ${source.sql_id} is not stored`);
      return sql;
    }
    throw new ProtocolError('a statement needs sql or sql_id');
  }

  execute(stmt: Stmt): StmtResult {
    const sql = this.sqlOf(stmt);
    try {
      const prepared = this.db.prepare(sql);
      const params = bindParams(stmt);
      if (prepared.reader) {
        prepared.safeIntegers(true);
        prepared.raw(true);
        const rows = prepared.all(...params) as unknown[][];
        const { changes, rowid } = this.db.prepare('SELECT changes() AS changes, last_insert_rowid() AS rowid').get() as { changes: number; rowid: number };
        return {
          cols: prepared.columns().map((c: { name: string; type: string | null }) => ({ name: c.name, decltype: c.type })),
          rows: stmt.want_rows === false ? [] : rows.map((row) => row.map(encodeValue)),
          affected_row_count: isWrite(sql) ? changes : 0,
          last_insert_rowid: isWrite(sql) ? String(rowid) : null,
        };
      }
      const info = prepared.run(...params) as { changes: number; lastInsertRowid: number | bigint };
      return { cols: [], rows: [], affected_row_count: info.changes, last_insert_rowid: String(info.lastInsertRowid) };
    } catch (error) {
      if (error instanceof ProtocolError) throw error;
      throw new SqlError(toHranaError(error));
    }
  }

  batch(batch: Batch): { step_results: (StmtResult | null)[]; step_errors: (HranaError | null)[] } {
    const results: (StmtResult | null)[] = [];
    const errors: (HranaError | null)[] = [];
    const outcome = (step: number): 'ok' | 'error' | 'skipped' => (results[step] ? 'ok' : errors[step] ? 'error' : 'skipped');
    const holds = (cond: BatchCond): boolean => {
      switch (cond.type) {
        case 'ok': return outcome(cond.step) === 'ok';
        case 'error': return outcome(cond.step) === 'error';
        case 'not': return !holds(cond.cond);
        case 'and': return cond.conds.every(holds);
        case 'or': return cond.conds.some(holds);
        case 'is_autocommit': return this.autocommit;
        default: throw new ProtocolError(`unknown batch condition ${(cond as { type: string }).type}`);
      }
    };
    for (const step of batch.steps) {
      if (step.condition && !holds(step.condition)) {
        results.push(null);
        errors.push(null);
        continue;
      }
      try {
        results.push(this.execute(step.stmt));
        errors.push(null);
      } catch (error) {
        if (error instanceof ProtocolError) throw error;
        results.push(null);
        errors.push(toHranaError(error));
      }
    }
    return { step_results: results, step_errors: errors };
  }

  sequence(sql: string): void {
    try {
      this.db.exec(sql);
    } catch (error) {
      throw new SqlError(toHranaError(error));
    }
  }

  describe(sql: string) {
    try {
      const prepared = this.db.prepare(sql);
      const params = [...sql.matchAll(/[:@$][A-Za-z_][A-Za-z0-9_]*|\?\d*/g)].map((m) => ({ name: m[0].startsWith('?') ? null : m[0] }));
      return {
        params,
        cols: prepared.reader ? prepared.columns().map((c: { name: string; type: string | null }) => ({ name: c.name, decltype: c.type })) : [],
        is_explain: /^\s*explain\b/i.test(sql),
        is_readonly: !isWrite(sql),
      };
    } catch (error) {
      throw new SqlError(toHranaError(error));
    }
  }

  close(): void {
    try {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    } catch {
      // Closing anyway.
    }
    this.db.close();
  }
}

const isWrite = (sql: string) => /^\s*(insert|update|delete|replace|with[\s\S]*\b(insert|update|delete)\b)/i.test(sql);

/** Hrana positional and named arguments → the driver's call arguments. */
function bindParams(stmt: Stmt): unknown[] {
  const positional = (stmt.args ?? []).map(decodeValue);
  if (!stmt.named_args?.length) return positional;
  const named: Record<string, unknown> = {};
  positional.forEach((value, i) => (named[String(i + 1)] = value));
  for (const { name, value } of stmt.named_args) named[name.replace(/^[:@$]/, '')] = decodeValue(value);
  return [named];
}
