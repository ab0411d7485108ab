/**
 * Demo data for a fresh local database: one teacher with a fortnight of open slots. Runs only when the
 * database has no users, so it never touches real data. `npm run db:seed` or via `npm run dev`.
 */
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { Temporal } from 'temporal-polyfill';
import * as schema from './schema.ts';

export const DEMO_TEACHER_EMAIL = 'teacher@slotcast.test';
const DEMO_TIME_ZONE = 'Europe/Berlin';

export async function seed(url: string, authToken?: string, now = Date.now()): Promise<{ seeded: boolean }> {
  const client = createClient({ url, authToken });
  try {
    const db = drizzle(client, { schema });
    const existing = await db.select({ id: schema.users.id }).from(schema.users).limit(1);
    if (existing.length > 0) return { seeded: false };
    const teacherId = crypto.randomUUID();
    const today = Temporal.Instant.fromEpochMilliseconds(now).toZonedDateTimeISO(DEMO_TIME_ZONE).toPlainDate();
    const slots: (typeof schema.slots.$inferInsert)[] = [];
    for (let offset = 1; offset <= 14; offset++) {
      const date = today.add({ days: offset });
      if (date.dayOfWeek > 5) continue;
      for (const [time, subject] of [
        ['09:00', 'Algebra'],
        ['10:30', 'Geometry'],
        ['14:00', 'Exam practice'],
      ] as const) {
        const startsAt = date.toZonedDateTime({
          timeZone: DEMO_TIME_ZONE,
          plainTime: Temporal.PlainTime.from(time),
        }).epochMilliseconds;
        slots.push({
          id: crypto.randomUUID(),
          teacherId,
          startsAt,
          endsAt: startsAt + 60 * 60_000,
          subject,
          status: 'open',
          createdAt: now,
          updatedAt: now,
        });
      }
    }
    await db.batch([
      db.insert(schema.users).values({
        id: teacherId,
        email: DEMO_TEACHER_EMAIL,
        name: 'Ada Lovelace',
        role: 'teacher',
        emailVerifiedAt: now,
        createdAt: now,
        updatedAt: now,
      }),
      db.insert(schema.teachers).values({
        id: teacherId,
        displayName: 'Ada Lovelace',
        timeZone: DEMO_TIME_ZONE,
        calendarVersion: 1,
        createdAt: now,
        updatedAt: now,
      }),
      db.insert(schema.slots).values(slots),
    ]);
    return { seeded: true };
  } finally {
    client.close();
  }
}

if (import.meta.main) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('Set DATABASE_URL (the dev server URL printed by `npm run dev`, or a libsql:// Turso URL).');
    process.exit(1);
  }
  const { seeded } = await seed(url, process.env.DATABASE_AUTH_TOKEN);
  console.log(
    seeded ? `Seeded the demo teacher ${DEMO_TEACHER_EMAIL}.` : 'The database already has users; nothing seeded.',
  );
}
