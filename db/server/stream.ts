/**
 * A Hrana stream: one dedicated connection plus the SQL texts stored on it. Requests on a stream run in order;
 * an interactive transaction is simply a stream whose connection is not in autocommit between requests.
 */
import { checkConditions, cursorEntries, executeBatch, type BatchStep } from './batch.ts';
import type { Connection, StatementInput } from './connection.ts';
import { ProtocolError, StatementError, toHranaError } from './errors.ts';
import type {
  Batch,
  CursorEntry,
  HranaVersion,
  Stmt,
  StreamRequest,
  StreamResponse,
  StreamResult,
} from './protocol.ts';
import { splitStatements } from './sql-text.ts';

// The limits sqld enforces, so code that would fail against Turso fails here too.
const MAX_STORED_SQL = 50;
const MAX_STORED_SQL_BYTES = 5000;

export class Stream {
  readonly connection: Connection;
  readonly #storedSql = new Map<number, string>();
  #closed = false;

  constructor(connection: Connection) {
    this.connection = connection;
  }

  /** True once a `close` request ran; the stream takes no more requests. */
  get closed(): boolean {
    return this.#closed;
  }

  /** One pipeline request. SQL failures become error results; protocol violations throw ProtocolError. */
  async handle(request: StreamRequest, version: HranaVersion): Promise<StreamResult> {
    if (this.#closed) throw new ProtocolError('the stream was closed by an earlier request in this pipeline');
    try {
      return { type: 'ok', response: await this.#respond(request, version) };
    } catch (error) {
      if (error instanceof ProtocolError) throw error;
      return { type: 'error', error: toHranaError(error) };
    }
  }

  /** A batch for the cursor endpoint; a request-level failure becomes the cursor's final `error` entry. */
  async cursor(batch: Batch, version: HranaVersion): Promise<CursorEntry[]> {
    try {
      return cursorEntries(await executeBatch(this.connection, this.#batchSteps(batch, version)));
    } catch (error) {
      if (error instanceof ProtocolError) throw error;
      return [{ type: 'error', error: toHranaError(error) }];
    }
  }

  async #respond(request: StreamRequest, version: HranaVersion): Promise<StreamResponse> {
    switch (request.type) {
      case 'close':
        this.#closed = true;
        return { type: 'close' };
      case 'execute':
        return { type: 'execute', result: await this.connection.execute(this.#statement(request.stmt)) };
      case 'batch':
        return { type: 'batch', result: await executeBatch(this.connection, this.#batchSteps(request.batch, version)) };
      case 'sequence':
        await this.connection.sequence(this.#sqlText(request));
        return { type: 'sequence' };
      case 'describe':
        return { type: 'describe', result: this.connection.describe(this.#sqlText(request)) };
      case 'store_sql':
        this.#store(request.sqlId, request.sql);
        return { type: 'store_sql' };
      case 'close_sql':
        this.#storedSql.delete(request.sqlId);
        return { type: 'close_sql' };
      case 'get_autocommit':
        if (version < 3) throw new ProtocolError('the get_autocommit request needs Hrana 3');
        return { type: 'get_autocommit', isAutocommit: this.connection.isAutocommit };
    }
  }

  #batchSteps(batch: Batch, version: HranaVersion): BatchStep[] {
    checkConditions(batch.steps, version);
    // Every statement is resolved before any runs, so a bad one fails the whole batch, as in sqld.
    return batch.steps.map((step) => ({ condition: step.condition, input: this.#statement(step.stmt) }));
  }

  #statement(stmt: Stmt): StatementInput {
    const sql = this.#sqlText(stmt);
    const count = splitStatements(sql).length;
    if (count === 0) throw new StatementError('SQL string does not contain any statement', 'SQL_NO_STATEMENT');
    if (count > 1) throw new StatementError('SQL string contains more than one statement', 'SQL_MANY_STATEMENTS');
    return { sql, args: stmt.args, namedArgs: stmt.namedArgs, wantRows: stmt.wantRows };
  }

  #sqlText(source: { sql: string | null; sqlId: number | null }): string {
    if (source.sql !== null && source.sqlId !== null) throw new ProtocolError('give either sql or sql_id, not both');
    if (source.sql !== null) return source.sql;
    if (source.sqlId === null) throw new ProtocolError('a statement needs sql or sql_id');
    const sql = this.#storedSql.get(source.sqlId);
    if (sql === undefined) throw new ProtocolError(`no SQL text is stored under id ${source.sqlId}`);
    return sql;
  }

  #store(sqlId: number, sql: string): void {
    if (this.#storedSql.has(sqlId)) throw new ProtocolError(`an SQL text is already stored under id ${sqlId}`);
    if (this.#storedSql.size >= MAX_STORED_SQL) {
      throw new StatementError(
        `The server already stores ${this.#storedSql.size} SQL texts, it cannot store more`,
        'SQL_STORE_TOO_MANY',
      );
    }
    if (Buffer.byteLength(sql) > MAX_STORED_SQL_BYTES) {
      throw new StatementError(
        `The statement is too large to be stored: ${Buffer.byteLength(sql)}/${MAX_STORED_SQL_BYTES} bytes`,
        'SQL_STORE_TOO_LARGE',
      );
    }
    this.#storedSql.set(sqlId, sql);
  }
}
