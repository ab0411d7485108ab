/**
 * The calendar object's batch of buffered share-link views (worker/live/link-views.ts) against a real migrated
 * database: every view becomes one link event at its own time and one step of the access count, and writing
 * the same views again (a lost answer, or an object that stopped between the commit and forgetting its
 * buffer) changes nothing.
 */
import { type Client } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLinkViews } from '../../worker/live/link-views.ts';
import type { LinkViewRecord } from '../../worker/env.ts';
import { backends, type Database } from './backends.ts';
import { CREATED_AT, HOUR, MINUTE, givenTeacher, newId, uniqueEmail } from './given.ts';

async function givenLink(client: Client, teacherId: string): Promise<string> {
  const studentId = newId();
  const linkId = newId();
  await client.batch([
    {
      sql: 'INSERT INTO students (id, teacher_id, email, name, color, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      args: [studentId, teacherId, uniqueEmail('student'), 'Sam', '#1d4ed8', CREATED_AT, CREATED_AT],
    },
    {
      sql: 'INSERT INTO share_links (id, teacher_id, student_id, token_hash, token_sealed, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      args: [linkId, teacherId, studentId, newId(), 'sealed', CREATED_AT + 1000 * HOUR, CREATED_AT],
    },
  ]);
  return linkId;
}

const view = (linkId: string, at: number): LinkViewRecord => ({ id: newId(), linkId, at });

// One backend is enough here: how the backends agree on batches is protocol-conformance.test.ts's business.
const backend = backends[0]!;

describe(`writing buffered link views (${backend.name})`, () => {
  let database: Database;
  let client: Client;
  beforeAll(async () => {
    database = await backend.start();
    client = database.client();
  });
  afterAll(() => database?.stop());

  const state = async (linkId: string) => {
    const link = await client.execute({
      sql: 'SELECT access_count, last_accessed_at FROM share_links WHERE id = ?',
      args: [linkId],
    });
    const events = await client.execute({
      sql: "SELECT at FROM link_events WHERE share_link_id = ? AND kind = 'view' ORDER BY at",
      args: [linkId],
    });
    // A view writes no audit row: the audit trail reads "link opened" from link_events.
    const audits = await client.execute({
      sql: 'SELECT count(*) AS n FROM audit_log WHERE target_id = ?',
      args: [linkId],
    });
    return {
      accessCount: Number(link.rows[0]!.access_count),
      lastAccessedAt: Number(link.rows[0]!.last_accessed_at),
      events: events.rows.map((r) => Number(r.at)),
      audits: Number(audits.rows[0]!.n),
    };
  };

  it('counts each view once, at its own time, even when the same views are written twice', async () => {
    const db = drizzle(client);
    const teacher = await givenTeacher(client);
    const [a, b] = [await givenLink(client, teacher.id), await givenLink(client, teacher.id)];
    const start = CREATED_AT + HOUR;
    const views = [
      ...Array.from({ length: 7 }, (_, i) => view(a, start + i * MINUTE)),
      ...Array.from({ length: 3 }, (_, i) => view(b, start + i * MINUTE)),
    ];
    await writeLinkViews(db, teacher.id, views);
    await writeLinkViews(db, teacher.id, views);
    expect(await state(a)).toEqual({
      accessCount: 7,
      lastAccessedAt: start + 6 * MINUTE,
      events: views.slice(0, 7).map((v) => v.at),
      audits: 0,
    });
    expect((await state(b)).accessCount).toBe(3);

    // A later batch that repeats part of the first and adds new views counts only the new ones.
    const more = [view(a, start + 10 * MINUTE), view(a, start + 3 * HOUR)];
    await writeLinkViews(db, teacher.id, [...views.slice(0, 2), ...more]);
    const after = await state(a);
    expect(after.accessCount).toBe(9);
    expect(after.events).toHaveLength(9);
    expect(after.audits).toBe(0);
  });

  it("never touches another teacher's link, and drops views of a link that is gone", async () => {
    const db = drizzle(client);
    const [owner, other] = [await givenTeacher(client), await givenTeacher(client)];
    const link = await givenLink(client, owner.id);
    await writeLinkViews(db, other.id, [view(link, CREATED_AT + HOUR)]);
    expect(await state(link)).toMatchObject({ accessCount: 0, events: [] });
    await writeLinkViews(db, owner.id, [view(newId(), CREATED_AT + HOUR), view(link, CREATED_AT + HOUR)]);
    expect(await state(link)).toMatchObject({ accessCount: 1, events: [CREATED_AT + HOUR] });
  });
});
