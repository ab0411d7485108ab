/** The shared stack's real database, for tests that arrange rows or check what a request stored. */
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { eq } from 'drizzle-orm';
import { inject } from 'vitest';
import * as schema from '../../db/schema.ts';

let database: ReturnType<typeof drizzle<typeof schema>> | null = null;
export function db() {
  database ??= drizzle(createClient({ url: inject('dbUrl') }), { schema });
  return database;
}

export async function slotsOf(teacherId: string) {
  return db().select().from(schema.slots).where(eq(schema.slots.teacherId, teacherId));
}
