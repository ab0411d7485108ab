import { lt, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql/web';
import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import * as schema from '../db/schema.ts';
import { HttpDbClient, databaseClient } from './db-http.ts';
import { WRITE_RECEIPT_TTL_MS, withRetries } from './db-retry.ts';
import { config, type Env } from './env.ts';

/**
 * The query builder without drizzle's relational API (`db.query.*`), which the Worker doesn't use: given the
 * schema, drizzle() walks every table and relation to build that API's config on each call, a few tenths of a
 * millisecond of CPU per handle, several handles per request (DESIGN.md, "Cost per request").
 */
export type Db = LibSQLDatabase;

/**
 * The database handle. Transient failures are retried underneath (worker/db-retry.ts): reads always, writes by
 * their receipt. Statements go to libSQL's HTTP API straight from `fetch` (worker/db-http.ts): no
 * `@libsql/client` is made unless a call needs what only it does (`transaction()`, `executeMultiple`,
 * `migrate`). Reads come back with array rows, decoded once; drizzle reads them by index. drizzle is given the
 * client as `{ client }`, so its check of what it was given reads a plain object.
 *
 * One handle per isolate and configuration, shared by every request (DESIGN.md, "A database handle per
 * isolate"): it holds no connection, queue or pending promise; each call makes its own `fetch` and awaits it
 * itself, so no request's promise is ever resolved by another's I/O. Not so the libSQL client (a queue behind
 * a concurrency limit): a URL only it speaks to gets a handle per call of getDb, as before.
 */
export function getDb(env: Env): Db {
  const settings = config(env);
  const shared = handles.get(settings);
  if (shared) return shared;
  const client = databaseClient(settings.DATABASE_URL, settings.DATABASE_AUTH_TOKEN);
  const db = drizzle({ client: withRetries(client) });
  if (client instanceof HttpDbClient) handles.set(settings, db);
  return db;
}

/** Keyed by the parsed configuration, which `config(env)` keeps one of per set of values. */
const handles = new WeakMap<object, Db>();

/**
 * A hand-written SELECT's rows as objects keyed by the names its columns carry (`AS name`). Use this, not
 * drizzle's `db.all(sql…)`: reads come back as array rows (worker/db-http.ts), and drizzle's builder
 * queries read them by index, but `db.all` on raw SQL reads a row's own property names.
 */
export async function selectByName<T>(db: Db, query: SQL): Promise<T[]> {
  const { columns, rows } = await db.run(query);
  return rows.map((row) => Object.fromEntries(columns.map((name, i) => [name, row[i]])) as T);
}

/** Cron: write receipts only matter while a retry may still come, seconds after its batch. */
/** Receipts older than a day can't meet a retry any more; returns how many went. */
export async function pruneWriteReceipts(env: Env, now: number): Promise<number> {
  const pruned = await getDb(env)
    .delete(schema.writeReceipts)
    .where(lt(schema.writeReceipts.at, now - WRITE_RECEIPT_TTL_MS))
    .returning({ id: schema.writeReceipts.id });
  return pruned.length;
}

/** True when a libSQL error came from the named RAISE() in a trigger or from a unique index. */
export function isConstraintError(error: unknown, marker: string): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof Error && e.message.includes(marker)) return true;
  }
  return false;
}

export { schema };
