/** A teacher, open slots and students with links, arranged through the API as a teacher would. */
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import * as schema from '../db/schema.ts';
import { createTeacherSession } from '../test/support/teacher-session.ts';

export async function portalFixture(appUrl: string, dbUrl: string, options: { slots: number; students: number }) {
  const client = createClient({ url: dbUrl });
  // A long horizon and no notice, so every slot the fixture makes is bookable.
  const teacher = await createTeacherSession(drizzle(client, { schema }), {
    minNoticeMinutes: 0,
    bookingHorizonDays: 730,
  });
  client.close();
  const headers = { origin: appUrl, cookie: teacher.cookie, 'content-type': 'application/json' };
  // As a teacher's page does: a change refused for the session's budget (120 a minute; a fixture of 64
  // students makes 149) waits the Retry-After it was given and is sent again, a bounded number of times.
  const post = async <T>(path: string, body: unknown, retries = 3): Promise<T> => {
    const response = await fetch(appUrl + path, { method: 'POST', headers, body: JSON.stringify(body) });
    const json = (await response.json()) as T;
    if (response.status === 429 && retries > 0) {
      const seconds = Number(response.headers.get('retry-after') ?? 1);
      await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(seconds, 1), 60) * 1000));
      return post<T>(path, body, retries - 1);
    }
    if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  // Exactly `slots` open slots: daily rules at up to 20 start hours (30 minutes each) over as many days as
  // needed, then the surplus of the last day canceled.
  const hours = Math.min(options.slots, 20);
  const days = Math.ceil(options.slots / hours);
  // From the third UTC date on: the first slot is then more than a day ahead at any hour in any zone, so the
  // benchmarks' cancellations stay inside the one-day cancellation window (the second date wasn't, after 23:00
  // UTC for a teacher east of UTC).
  const day = (offset: number) => new Date(Date.now() + (3 + offset) * 86_400_000).toISOString().slice(0, 10);
  const created: { id: string; startsAt: number }[] = [];
  for (let hour = 0; hour < hours; hour++) {
    const result = await post<{ slots: { id: string; startsAt: number }[] }>('/api/teacher/slots/recurring', {
      days: [1, 2, 3, 4, 5, 6, 7],
      startTime: `${String(hour).padStart(2, '0')}:00`,
      lengthMinutes: 30,
      from: day(0),
      until: day(days - 1),
    });
    created.push(...result.slots);
  }
  created.sort((a, b) => a.startsAt - b.startsAt);
  const surplus = created.slice(options.slots).map((s) => s.id);
  if (surplus.length > 0) await post('/api/teacher/slots/cancel', { slotIds: surplus });
  const slotIds = created.slice(0, options.slots).map((s) => s.id);
  const tokens: string[] = [];
  for (let i = 0; i < options.students; i++) {
    const { student } = await post<{ student: { id: string } }>('/api/teacher/students', {
      name: `Student ${i + 1}`,
      email: `bench-${i}-${teacher.id.slice(0, 8)}@example.test`,
    });
    const { link } = await post<{ link: { url: string } }>(`/api/teacher/students/${student.id}/share-link`, {});
    tokens.push(link.url.split('/').at(-1)!);
  }
  return { teacher, slotIds, tokens };
}
