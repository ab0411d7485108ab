/**
 * One libSQL connection and the statement-level work Hrana asks of it.
 *
 * Locking. Every connection lives in this one Node process and the driver is synchronous, so SQLite's own
 * busy_timeout would block the event loop while the lock holder — another stream's open transaction, served
 * by this same process — could never commit: a certain stall followed by failure. Instead busy_timeout is 0
 * and a statement that meets SQLITE_BUSY is retried asynchronously (with SQLite's busy-handler back-off)
 * until `busyTimeoutMs` runs out. Retrying is safe: SQLITE_BUSY means the statement could not take its lock
 * and changed nothing. SQLITE_BUSY_SNAPSHOT (a stale read transaction) can never succeed and fails at once.
 *
 * The driver (libsql 0.5) leaves a statement that failed with SQLITE_BUSY "in progress" until it is run
 * again or garbage-collected, and such a statement keeps the connection from ever committing. So a retry
 * re-runs the same statement object, and a connection that gave up on a lock is "poisoned": it is replaced
 * by a fresh one as soon as it is back in autocommit (at once, or after the client's ROLLBACK).
 */
import Database from 'libsql';
import { StatementError, sqliteRawCode } from './errors.ts';
import type { DescribeResult, SqlValue, StmtResult } from './protocol.ts';
import {
  classify,
  isInsert,
  isInsertUpdateDelete,
  isReadonly,
  parameterNames,
  splitStatements,
  type StatementKind,
} from './sql-text.ts';

const SQLITE_BUSY = 5;
const BACKOFF_MS = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];

export interface StatementInput {
  sql: string;
  args: SqlValue[];
  namedArgs: { name: string; value: SqlValue }[];
  wantRows: boolean;
}

export class Connection {
  readonly #file: string;
  readonly #busyTimeoutMs: number;
  readonly #signal: AbortSignal;
  #db: Database.Database;
  /** Set once the connection's session state (attached databases, temp objects, pragmas) may differ. */
  #tainted = false;
  /** Set when a statement gave up waiting for a lock and was left in progress by the driver. */
  #poisoned = false;

  constructor(file: string, busyTimeoutMs: number, signal: AbortSignal) {
    this.#file = file;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#signal = signal;
    this.#db = open(file);
  }

  /** WAL is a property of the database file, so once is enough; returns the journal mode in effect. */
  setJournalModeWal(): string {
    return (this.#db.prepare('PRAGMA journal_mode = WAL').raw(true).get([]) as [string])[0];
  }

  get isAutocommit(): boolean {
    return !this.#db.inTransaction;
  }

  async execute(input: StatementInput): Promise<StmtResult> {
    const kind = classify(input.sql);
    this.#noteSessionChanges(kind, input.sql);
    const params = bindParameters(input);
    const statement = this.#db.prepare(input.sql);
    const reader = statement.reader;
    if (reader) statement.raw(true).safeIntegers(true);
    const rows = await this.#whenNotBusy(() =>
      reader ? (statement.all(params) as SqlValue[][]) : (statement.run(params), []),
    );
    // As sqld: changes() only means something after INSERT/UPDATE/DELETE, last_insert_rowid() after INSERT.
    const [changes, rowid] = isInsertUpdateDelete(kind) ? this.#lastChange() : [0, null];
    return {
      cols: reader ? statement.columns().map((c) => ({ name: c.name, decltype: c.type })) : [],
      rows: input.wantRows ? rows : [],
      affectedRowCount: changes,
      lastInsertRowid: isInsert(kind) ? rowid : null,
    };
  }

  /** Runs each statement of `sql` in turn, stopping at the first error; rows are discarded. */
  async sequence(sql: string): Promise<void> {
    for (const statement of splitStatements(sql)) {
      this.#noteSessionChanges(classify(statement), statement);
      // exec() finalizes its statement even on failure, so each attempt starts clean.
      await this.#whenNotBusy(() => this.#db.exec(statement));
    }
  }

  describe(sql: string): DescribeResult {
    const statement = this.#db.prepare(sql);
    const kind = classify(sql);
    return {
      params: parameterNames(sql).map((name) => ({ name })),
      cols: statement.reader ? statement.columns().map((c) => ({ name: c.name, decltype: c.type })) : [],
      isExplain: kind.isExplain,
      isReadonly: isReadonly(sql),
    };
  }

  /** Rolls back what a finished stream left open; false when the connection should be closed, not reused. */
  reset(): boolean {
    try {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      this.#db.exec('PRAGMA foreign_keys = ON');
      // Temporary tables, views and triggers belong to one connection (as on Turso). Spotting them in SQL text
      // misses `temp.x` names and leading comments, so ask SQLite itself before pooling the connection.
      const temp = this.#db.prepare('SELECT count(*) FROM sqlite_temp_master').raw(true).get([]) as [number];
      return !this.#tainted && !this.#poisoned && Number(temp[0]) === 0;
    } catch {
      return false;
    }
  }

  close(): void {
    try {
      if (this.#db.open && this.#db.inTransaction) this.#db.exec('ROLLBACK');
    } catch {
      // Closing discards the transaction anyway.
    }
    if (this.#db.open) this.#db.close();
  }

  #lastChange(): [number, bigint] {
    const row = this.#db.prepare('SELECT changes(), last_insert_rowid()').raw(true).safeIntegers(true).get([]) as [
      bigint,
      bigint,
    ];
    return [Number(row[0]), row[1]];
  }

  #noteSessionChanges(kind: StatementKind, sql: string): void {
    if (kind.verb === 'ATTACH' || kind.verb === 'DETACH') this.#tainted = true;
    else if (kind.verb === 'PRAGMA' && !/^\s*pragma\s+foreign_keys\b/i.test(sql)) this.#tainted = true;
    else if (kind.verb === 'CREATE' && /^\s*create\s+temp(orary)?\b/i.test(sql)) this.#tainted = true;
  }

  /** `run` again and again while the database is locked by another connection; see the file comment. */
  async #whenNotBusy<T>(run: () => T): Promise<T> {
    const deadline = Date.now() + this.#busyTimeoutMs;
    let lingering: boolean | undefined;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const value = run();
          lingering = false;
          return value;
        } catch (error) {
          const rawCode = sqliteRawCode(error);
          lingering = rawCode !== undefined && (rawCode & 0xff) === SQLITE_BUSY;
          if (rawCode !== SQLITE_BUSY || this.#signal.aborted || Date.now() >= deadline) throw error;
          const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!;
          await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Math.max(1, deadline - Date.now()))));
        }
      }
    } finally {
      if (lingering) this.#poisoned = true;
      if (this.#poisoned && !this.#db.inTransaction) this.#replace();
    }
  }

  /** A fresh connection in place of a poisoned one; only called in autocommit, so no transaction is lost. */
  #replace(): void {
    this.close();
    this.#db = open(this.#file);
    this.#poisoned = false;
    this.#tainted = false;
  }
}

function open(file: string): Database.Database {
  const db = new Database(file);
  // NORMAL is durable across application crashes in WAL mode, which is all a dev database needs.
  db.exec('PRAGMA busy_timeout = 0; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;');
  return db;
}

/** Hrana arguments → the driver's single bind argument: an array by position, or an object by bare name. */
function bindParameters(input: StatementInput): SqlValue[] | Record<string, SqlValue> {
  if (input.namedArgs.length === 0) return input.args;
  if (input.args.length > 0) {
    throw new StatementError(
      'Specifying both positional and named arguments is not supported',
      'ARGS_BOTH_POSITIONAL_AND_NAMED',
    );
  }
  // The driver matches `:name`, `@name` and `$name` by the bare name; Hrana names may carry the prefix.
  return Object.fromEntries(input.namedArgs.map(({ name, value }) => [name.replace(/^[:@$]/, ''), value]));
}
