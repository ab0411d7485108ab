/**
 * Statements drizzle builds once per isolate. Building a query and rendering it to SQL is most of what drizzle
 * costs per statement, paid again on every request for the same text: a share link's lookup (three tables,
 * every column) took 0.35 ms of CPU to build and render, a booking's two batches about 1.1 ms (DESIGN.md,
 * "Cost per request"). A template is built with named placeholders where its values go and rendered once; a
 * use only fills its values in. The SQL is still drizzle's, from the schema; only its shape must not depend on
 * the values, so a statement whose shape varies (an optional clause, a list) is one template per shape.
 */
import { Buffer } from 'node:buffer';
import {
  Column,
  getTableColumns,
  getTableName,
  is,
  Param,
  Placeholder,
  SQL,
  sql,
  Subquery,
  type Query,
} from 'drizzle-orm';
import type { Client, InArgs, ResultSet } from '@libsql/client';
import type { SQLiteInsertBase, SQLiteInsertValue, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from './db.ts';

/** What a template needs of the built query: drizzle's own batch calls `_prepare()` and then these. */
interface PreparedQuery {
  getQuery(): Query;
  mapResult(result: unknown, isFromBatch?: boolean): unknown;
  /** How drizzle runs it: `all` for rows (a select, a `returning`), `run` for a write's own result. */
  executeMethod: string;
  /** The selected fields in column order, each with its place in the result row. */
  fields?: { path: string[]; field: unknown }[];
  customResultMapper?: unknown;
  /** For each joined table, whether its columns are never all NULL (inner joins): a left join's are. */
  joinsNotNullableMap?: Record<string, boolean>;
}
interface Preparable {
  _prepare(): PreparedQuery;
}

/**
 * A statement built once, by `build`, with `values` standing for its values: each property of `values` read in
 * `build` is the placeholder of that name, typed as the value it stands for, so the builder reads as usual. Use
 * a placeholder only as a value (compared, inserted, set, or in a `sql` fragment), never computed on: the
 * template is built once, with placeholders, not with the first use's values. Read them by name: `values` has
 * no keys of its own, so spreading it gives nothing.
 *
 * Returns the statement for given values, typed as what `build` returns: put it in `db.batch([...])` or await
 * it, like the query it stands for; nothing else of the builder works on it. A value left `undefined` throws
 * (drizzle would have left the column out, which a fixed text can't); pass `null` for NULL.
 */
export function statementTemplate<Values extends Record<string, unknown>, Q>(
  build: (db: Db, values: Values) => Q,
): (db: Db, values: Values) => Q {
  let template: Template | undefined;
  return (db, values) => {
    template ??= compile((build(db, placeholders as Values) as Preparable)._prepare());
    return template.use(db, values) as Q;
  };
}

/**
 * Several statements built together once, by `build`, as `statementTemplate` builds one: for reads that share
 * subqueries (a booking and its parties, all found through a share link's token). Returns them as a tuple, in
 * `build`'s order, for a batch.
 */
export function statementTemplates<Values extends Record<string, unknown>, Qs extends readonly unknown[]>(
  build: (db: Db, values: Values) => Qs,
): (db: Db, values: Values) => Qs {
  let templates: Template[] | undefined;
  return (db, values) => {
    templates ??= build(db, placeholders as Values).map((query) => compile((query as Preparable)._prepare()));
    return templates.map((template) => template.use(db, values)) as unknown as Qs;
  };
}

/**
 * `db.insert(table).values(row)`, from a template per table and set of columns: a row's columns left
 * `undefined` take their defaults, as drizzle does. A row holding SQL (a subquery for a value) is built as
 * usual: its text depends on the SQL.
 */
export function insertRow<T extends SQLiteTable>(db: Db, table: T, row: SQLiteInsertValue<T>) {
  const columns = Object.keys(row).filter((key) => row[key as keyof typeof row] !== undefined);
  if (hasDefaultsInJs(table) || columns.some((key) => is(row[key as keyof typeof row], SQL)))
    return db.insert(table).values(row);
  const key = columns.join(',');
  let byColumns = insertTemplates.get(table);
  if (!byColumns) insertTemplates.set(table, (byColumns = new Map()));
  let template = byColumns.get(key);
  if (!template) {
    const values = Object.fromEntries(columns.map((column) => [column, sql.placeholder(column)]));
    template = compile((db.insert(table).values(values as SQLiteInsertValue<T>) as unknown as Preparable)._prepare());
    byColumns.set(key, template);
  }
  return template.use(db, row as Record<string, unknown>) as SQLiteInsertBase<T, 'async', ResultSet>;
}

const insertTemplates = new WeakMap<SQLiteTable, Map<string, Template>>();

/**
 * Whether a column of the table gets its default from JavaScript (`$defaultFn`, `$onUpdate`): drizzle computes
 * those per insert, for the columns a row leaves out, which a fixed text can't. None does now.
 */
function hasDefaultsInJs(table: SQLiteTable): boolean {
  let has = jsDefaults.get(table);
  if (has === undefined) {
    has = Object.values(getTableColumns(table)).some((c) => c.defaultFn !== undefined || c.onUpdateFn !== undefined);
    jsDefaults.set(table, has);
  }
  return has;
}
const jsDefaults = new WeakMap<SQLiteTable, boolean>();

/** Every property read is the placeholder of that name. */
const placeholders = new Proxy(
  {},
  { get: (_, name) => (typeof name === 'string' ? sql.placeholder(name) : undefined) },
) as Record<string, unknown>;

interface Template {
  use(db: Db, values: Record<string, unknown>): unknown;
}

function compile(prepared: PreparedQuery): Template {
  const query = prepared.getQuery();
  // Each parameter, worked out once: a constant, a placeholder's value as is (a comparison, a `sql` fragment),
  // or a placeholder's value through its column's encoder (an inserted or set value: a JSON column's text),
  // NULL as drizzle sends it, unencoded.
  const fillers = query.params.map((param): ((values: Record<string, unknown>) => unknown) => {
    if (is(param, Placeholder)) return (values) => valueOf(values, param.name);
    if (is(param, Param) && is(param.value, Placeholder)) {
      const { encoder } = param;
      const { name } = param.value;
      return (values) => {
        const value = valueOf(values, name);
        return value === null ? null : encoder.mapToDriverValue(value);
      };
    }
    return () => param;
  });
  const mapRows = rowMapper(prepared);
  return {
    use(db, values) {
      const filled: Query = { ...query, params: fillers.map((fill) => fill(values)) };
      // The built query, with this use's values and the template's own row mapping (drizzle's, worked out once).
      const statement = Object.create(prepared, {
        getQuery: { value: () => filled },
        ...(mapRows && { mapResult: { value: mapRows } }),
      }) as PreparedQuery;
      return {
        _prepare: () => statement,
        // Awaited on its own: one statement through the handle's client, as drizzle runs a query outside a batch
        // (no transaction around it), its result mapped as drizzle maps a batch's.
        then<T, E>(onFulfilled?: (value: unknown) => T, onRejected?: (reason: unknown) => E) {
          return (db as Db & { $client: Client }).$client
            .execute({ sql: filled.sql, args: filled.params as InArgs })
            .then((result) => statement.mapResult(result, true))
            .then(onFulfilled, onRejected);
        },
      };
    },
  };
}

/**
 * drizzle's own row mapping (`mapResultRow` in drizzle-orm/utils), with what it works out on every row of every
 * result worked out once: which decoder each column has, which joined table it belongs to, where it goes in
 * the row's object. drizzle asks each field what kind it is (`is()`, a walk of its prototype chain) for each
 * cell, which was most of a 200-slot calendar read's CPU after the query itself (DESIGN.md, "Statements built
 * once"). The result is the same object drizzle makes, left joins' NULL rows included, and
 * `test/db/db-template.test.ts` holds it to drizzle's. Null where drizzle's own mapping stays: a write without
 * `returning`, a custom mapper.
 */
function rowMapper(prepared: PreparedQuery): ((result: unknown) => unknown) | null {
  const { fields, executeMethod, customResultMapper } = prepared;
  if (!fields || customResultMapper || executeMethod !== 'all') return null;
  const joins = prepared.joinsNotNullableMap;
  const columns = fields.map(({ path, field }) => {
    type Decoder = { mapFromDriverValue(value: unknown): unknown };
    const sqlDecoder = (of: unknown) => (of as { decoder: Decoder }).decoder;
    const decoder: Decoder = is(field, Column)
      ? field
      : is(field, SQL)
        ? sqlDecoder(field)
        : is(field, Subquery)
          ? sqlDecoder(field._.sql)
          : sqlDecoder((field as { sql: SQL }).sql);
    return {
      parents: path.slice(0, -1),
      key: path[path.length - 1]!,
      decode: (value: unknown) => decoder.mapFromDriverValue(value),
      // A left join's table: its columns all NULL mean no row joined, and its object becomes null.
      table:
        joins && is(field, Column) && path.length === 2 ? { object: path[0]!, name: getTableName(field.table) } : null,
    };
  });
  const mapRow = (row: ArrayLike<unknown>) => {
    const result: Record<string, unknown> = {};
    // drizzle's rule: a nested object is null when its first column is NULL, all its columns are one table's,
    // and that table may be missing (a left join's).
    const nullify: Record<string, string | false> = {};
    for (let i = 0; i < columns.length; i++) {
      const { parents, key, decode, table } = columns[i]!;
      let node = result;
      for (const parent of parents) node = (node[parent] ??= {}) as Record<string, unknown>;
      const raw = normalizeFieldValue(row[i]);
      const value = (node[key] = raw === null ? null : decode(raw));
      if (table) {
        const seen = nullify[table.object];
        if (seen === undefined) nullify[table.object] = value === null ? table.name : false;
        else if (typeof seen === 'string' && seen !== table.name) nullify[table.object] = false;
      }
    }
    for (const object in nullify) {
      const tableName = nullify[object];
      if (typeof tableName === 'string' && !joins![tableName]) result[object] = null;
    }
    return result;
  };
  return (result) => (result as ResultSet).rows.map(mapRow);
}

/** drizzle's libSQL driver gives a blob as a Buffer, and so does its row mapping here. */
function normalizeFieldValue(value: unknown): unknown {
  return value instanceof ArrayBuffer ? Buffer.from(value) : value;
}

function valueOf(values: Record<string, unknown>, name: string): unknown {
  const value = values[name];
  if (value === undefined) throw new Error(`statementTemplate: no value for "${name}" (pass null for NULL)`);
  return value;
}
