/**
 * Applies the drizzle migrations in db/migrations to a libSQL database: the dev server (`http://…`), Turso
 * (`libsql://…` with an auth token) or a local file (`file:…`). Already applied migrations are skipped, so
 * running it twice is harmless. As a script (`npm run db:migrate`) it reads DATABASE_URL and
 * DATABASE_AUTH_TOKEN.
 *
 * drizzle-kit writes `--> statement-breakpoint` between statements (every journal entry has
 * `breakpoints: true`), and the migrator sends each piece as its own statement: Turso, like the dev server,
 * refuses two statements in one, and a CREATE TRIGGER body has semicolons of its own.
 */
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { migrate as runMigrations } from 'drizzle-orm/libsql/migrator';
import { fileURLToPath } from 'node:url';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

export async function migrate(url: string, authToken?: string): Promise<void> {
  const client = createClient({ url, authToken });
  try {
    await runMigrations(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    client.close();
  }
}

if (import.meta.main) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error(
      'Set DATABASE_URL to the database to migrate: the dev server (http://127.0.0.1:<port>, see `npm run dev`), ' +
        'a Turso database (libsql://<db>-<org>.turso.io, with DATABASE_AUTH_TOKEN) or a file (file:.data/slotcast.db).',
    );
    process.exit(1);
  }
  try {
    await migrate(url, process.env.DATABASE_AUTH_TOKEN || undefined);
    console.log(`Migrations applied to ${new URL(url).host || url}.`);
  } catch (error) {
    console.error(`Migrating failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
