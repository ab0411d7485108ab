import { createClient, type Client } from '@libsql/client/web';
import { drizzle } from 'drizzle-orm/libsql/web';
import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import * as schema from '../db/schema.ts';
import { config, type Env } from './env.ts';

export type Db = LibSQLDatabase<typeof schema>;

// One HTTP client per isolate and URL: it holds no socket between requests, only config.
const clients = new Map<string, { client: Client; db: Db }>();

export function getDb(env: Env): Db {
  const { DATABASE_URL, DATABASE_AUTH_TOKEN } = config(env);
  const key = `${DATABASE_URL}|${DATABASE_AUTH_TOKEN ?? ''}`;
  let entry = clients.get(key);
  if (!entry) {
    const client = createClient({ url: DATABASE_URL, authToken: DATABASE_AUTH_TOKEN });
    entry = { client, db: drizzle(client, { schema }) };
    clients.set(key, entry);
  }
  return entry.db;
}

/** True when a libSQL error came from the named RAISE() in a trigger or from a unique index. */
export function isConstraintError(error: unknown, marker: string): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof Error && e.message.includes(marker)) return true;
  }
  return false;
}

export { schema };
