/**
 * Statements built once per isolate (worker/db-template.ts) against the real dev server, through the Worker's
 * own client: each use must read and write exactly what the same statement built afresh does, with its own
 * values and none of an earlier use's, in a batch or awaited on its own.
 */
import { createClient, type Client } from '@libsql/client/web';
import { and, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, slots, teachers, users } from '../../db/schema.ts';
import { databaseClient } from '../../worker/db-http.ts';
import { insertRow, statementTemplate } from '../../worker/db-template.ts';
import type { Db } from '../../worker/db.ts';
import { startMigratedServer, type Database } from './backends.ts';
import { CREATED_AT, HOUR, MONDAY_9AM, givenSlot, givenTeacher, newId } from './given.ts';

let database: Database;
let client: Client;
let db: Db;

beforeAll(async () => {
  database = await startMigratedServer(createClient);
  client = database.client();
  db = drizzle({ client: databaseClient(database.url, database.authToken) });
});
afterAll(() => database?.stop());

/** A teacher's open slots from a time on, joined with the teacher: what a built-afresh query gives too. */
const openSlotsFresh = (teacherId: string, from: number) =>
  db
    .select({ slot: slots, teacher: { id: teachers.id, name: teachers.displayName } })
    .from(slots)
    .innerJoin(teachers, eq(teachers.id, slots.teacherId))
    .where(and(eq(slots.teacherId, teacherId), sql`${slots.startsAt} >= ${from}`))
    .orderBy(slots.startsAt);

let builds = 0;
const openSlots = statementTemplate((d, p: { teacherId: string; from: number }) => {
  builds++;
  return d
    .select({ slot: slots, teacher: { id: teachers.id, name: teachers.displayName } })
    .from(slots)
    .innerJoin(teachers, eq(teachers.id, slots.teacherId))
    .where(and(eq(slots.teacherId, p.teacherId), sql`${slots.startsAt} >= ${p.from}`))
    .orderBy(slots.startsAt);
});

const insertAudit = statementTemplate(
  (d, p: { id: string; action: string; details: Record<string, unknown> | null; teacherId: string | null }) =>
    d.insert(auditLog).values({
      id: p.id,
      at: CREATED_AT,
      actorType: 'system',
      action: p.action,
      details: p.details,
      teacherId: p.teacherId,
    }),
);

describe('a statement template', () => {
  it('reads what the same query built afresh reads, each use with its own values, built once', async () => {
    const ada = await givenTeacher(client);
    const bo = await givenTeacher(client);
    for (const start of [MONDAY_9AM, MONDAY_9AM + 2 * HOUR]) await givenSlot(client, ada.id, start);
    await givenSlot(client, bo.id, MONDAY_9AM + HOUR);

    const [adaAll, adaLater, boAll] = await db.batch([
      openSlots(db, { teacherId: ada.id, from: MONDAY_9AM }),
      openSlots(db, { teacherId: ada.id, from: MONDAY_9AM + HOUR }),
      openSlots(db, { teacherId: bo.id, from: MONDAY_9AM }),
    ]);
    expect(adaAll).toEqual(await openSlotsFresh(ada.id, MONDAY_9AM));
    expect(adaAll.map((r) => r.slot.startsAt)).toEqual([MONDAY_9AM, MONDAY_9AM + 2 * HOUR]);
    expect(adaAll[0]!.teacher).toEqual({ id: ada.id, name: 'Ms Example' });
    expect(adaLater.map((r) => r.slot.startsAt)).toEqual([MONDAY_9AM + 2 * HOUR]);
    expect(boAll).toEqual(await openSlotsFresh(bo.id, MONDAY_9AM));
    expect(boAll).toHaveLength(1);
    // Awaited on its own, as the built query would be.
    expect(await openSlots(db, { teacherId: bo.id, from: MONDAY_9AM })).toEqual(boAll);
    expect(builds).toBe(1);
  });

  it('writes each value through its column, JSON as JSON and null as NULL, in one batch with other statements', async () => {
    const teacher = await givenTeacher(client);
    const [withDetails, without] = [newId(), newId()];
    await db.batch([
      insertAudit(db, {
        id: withDetails,
        action: 'slot.created',
        details: { slotId: 's1', n: 2 },
        teacherId: teacher.id,
      }),
      insertAudit(db, { id: without, action: 'slot.deleted', details: null, teacherId: null }),
      db.update(users).set({ name: 'Renamed' }).where(eq(users.id, teacher.id)),
    ]);
    const rows = await client.execute({
      sql: 'SELECT id, action, details, teacher_id FROM audit_log WHERE id IN (?, ?) ORDER BY action',
      args: [withDetails, without],
    });
    expect(rows.rows.map((r) => ({ ...r }))).toEqual([
      { id: withDetails, action: 'slot.created', details: '{"slotId":"s1","n":2}', teacher_id: teacher.id },
      { id: without, action: 'slot.deleted', details: null, teacher_id: null },
    ]);
    const [renamed] = (await client.execute({ sql: 'SELECT name FROM users WHERE id = ?', args: [teacher.id] })).rows;
    expect(renamed!.name).toBe('Renamed');
  });

  it('refuses a use with a value left undefined, before anything is sent', async () => {
    const id = newId();
    expect(() =>
      insertAudit(db, { id, action: 'slot.created', details: null, teacherId: undefined as unknown as null }),
    ).toThrow(/no value for "teacherId"/);
    const rows = await client.execute({ sql: 'SELECT count(*) AS n FROM audit_log WHERE id = ?', args: [id] });
    expect(Number(rows.rows[0]!.n)).toBe(0);
  });
});

describe('insertRow', () => {
  it("inserts what drizzle's own insert does: columns left undefined take their defaults, SQL values are evaluated", async () => {
    const teacher = await givenTeacher(client);
    const [plain, withSubject, fromSql] = [newId(), newId(), newId()];
    const row = (id: string, startsAt: number) => ({
      id,
      teacherId: teacher.id,
      startsAt,
      endsAt: startsAt + HOUR,
      createdAt: CREATED_AT,
      updatedAt: CREATED_AT,
    });
    await db.batch([
      insertRow(db, slots, { ...row(plain, MONDAY_9AM), subject: undefined }),
      insertRow(db, slots, { ...row(withSubject, MONDAY_9AM + HOUR), subject: 'Algebra', status: 'booked' }),
      // A value that is SQL: built as drizzle builds it, not from a template.
      insertRow(db, slots, { ...row(fromSql, MONDAY_9AM + 2 * HOUR), subject: sql`upper(${'geometry'})` }),
    ]);
    const rows = await client.execute({
      sql: 'SELECT id, subject, status, created_at FROM slots WHERE teacher_id = ? ORDER BY starts_at',
      args: [teacher.id],
    });
    expect(rows.rows.map((r) => ({ ...r }))).toEqual([
      { id: plain, subject: '', status: 'open', created_at: CREATED_AT },
      { id: withSubject, subject: 'Algebra', status: 'booked', created_at: CREATED_AT },
      { id: fromSql, subject: 'GEOMETRY', status: 'open', created_at: CREATED_AT },
    ]);
  });
});
