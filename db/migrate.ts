/**
 * Applies the drizzle migrations in db/migrations to a libSQL database: the dev server (http://…) or Turso
 * (libsql://… with DATABASE_AUTH_TOKEN). `npm run db:migrate` reads DATABASE_URL.
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
    console.error('Set DATABASE_URL to the database to migrate: the dev server URL (http://127.0.0.1:…) or a libsql:// Turso URL (with DATABASE_AUTH_TOKEN).');
    process.exit(1);
  }
  await migrate(url, process.env.DATABASE_AUTH_TOKEN);
  console.log('Migrations applied.');
}
