/**
 * Statements built once per isolate (worker/db-template.ts) against the real dev server, through the Worker's
 * own client: each use must read and write exactly what the same statement built afresh does, with its own
 * values and none of an earlier use's, in a batch or awaited on its own.
 */
import { createClient, type Client } from '@libsql/client/web';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, authSessions, bookings, slots, teachers, users } from '../../db/schema.ts';
import { databaseClient } from '../../worker/db-http.ts';
import { insertRow, statementTemplate } from '../../worker/db-template.ts';
import type { Db } from '../../worker/db.ts';
import { teacherSlotsQuery } from '../../worker/calendar/slot-views.ts';
import { startMigratedServer, type Database } from './backends.ts';
import { CREATED_AT, HOUR, MONDAY_9AM, givenSlot, givenTeacher, insertBooking, newId } from './given.ts';

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

/** Ada with slots at 9:00 and 11:00, Bo with one at 10:00. */
async function givenTwoTeachersSlots() {
  const ada = await givenTeacher(client);
  const bo = await givenTeacher(client);
  const adaFirstSlot = await givenSlot(client, ada.id, MONDAY_9AM);
  await givenSlot(client, ada.id, MONDAY_9AM + 2 * HOUR);
  await givenSlot(client, bo.id, MONDAY_9AM + HOUR);
  return { ada, bo, adaFirstSlot };
}

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
    const { ada, bo } = await givenTwoTeachersSlots();

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

  it("maps rows as drizzle does: whole tables, booleans, JSON and blobs decoded, a left join's missing row as null", async () => {
    const { ada, bo, adaFirstSlot } = await givenTwoTeachersSlots();
    await client.execute(insertBooking(adaFirstSlot, ada.id));
    await client.execute({
      sql: 'INSERT INTO auth_sessions (id, user_id, secret_hash, created_at, last_verified_at) VALUES (?, ?, ?, ?, ?)',
      args: [newId(), ada.id, new Uint8Array([1, 2, 3]), CREATED_AT, CREATED_AT],
    });
    const select = (d: Db, teacherIds: [string, string]) =>
      d
        .select({
          slot: slots,
          teacher: teachers,
          booking: { id: bookings.id, status: bookings.status },
          session: { secretHash: authSessions.secretHash },
          minutes: sql`(${slots.endsAt} - ${slots.startsAt}) / 60000`.mapWith(Number),
        })
        .from(slots)
        .innerJoin(teachers, eq(teachers.id, slots.teacherId))
        .leftJoin(bookings, eq(bookings.slotId, slots.id))
        .leftJoin(authSessions, eq(authSessions.userId, teachers.id))
        .where(inArray(slots.teacherId, teacherIds))
        .orderBy(slots.startsAt);
    const template = statementTemplate((d, p: { ada: string; bo: string }) => select(d, [p.ada, p.bo]));

    const [fromTemplate] = await db.batch([template(db, { ada: ada.id, bo: bo.id })]);
    expect(fromTemplate).toEqual(await select(db, [ada.id, bo.id]));
    expect(await template(db, { ada: ada.id, bo: bo.id })).toEqual(fromTemplate);
    const [first, second, third] = fromTemplate;
    expect(first!.booking).toEqual({ id: expect.any(String), status: 'scheduled' });
    expect(first!.session!.secretHash).toEqual(Buffer.from([1, 2, 3]));
    expect(first!.teacher.notifyOnBooking).toBe(true);
    expect(first!.minutes).toBe(60);
    expect(second!.slot.teacherId).toBe(bo.id);
    expect(second!.booking).toBeNull();
    expect(second!.session).toBeNull();
    expect(third!.booking).toBeNull();
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

describe("the teacher calendar's slots, found by the teacher or by the session", () => {
  it("reads the same slots either way, none for a session that does not exist, and no other teacher's", async () => {
    const { ada, bo } = await givenTwoTeachersSlots();
    const sessionId = newId();
    await client.execute({
      sql: 'INSERT INTO auth_sessions (id, user_id, secret_hash, created_at, last_verified_at) VALUES (?, ?, ?, ?, ?)',
      args: [sessionId, ada.id, new Uint8Array(32), CREATED_AT, CREATED_AT],
    });
    const range = [MONDAY_9AM - HOUR, MONDAY_9AM + 3 * HOUR] as const;

    const [byTeacher, bySession, byUnknownSession] = await db.batch([
      teacherSlotsQuery(db, { userId: ada.id }, ...range),
      teacherSlotsQuery(db, { sessionId }, ...range),
      teacherSlotsQuery(db, { sessionId: newId() }, ...range),
    ]);
    expect(byTeacher.map((r) => r.slot.startsAt)).toEqual([MONDAY_9AM, MONDAY_9AM + 2 * HOUR]);
    expect(bySession).toEqual(byTeacher);
    expect(byUnknownSession).toEqual([]);
    expect(await teacherSlotsQuery(db, { userId: bo.id }, ...range)).toHaveLength(1);
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
