/**
 * Creating slots checks the session inside the write batch when this Worker validated it recently
 * (worker/auth/session-cache.ts). What another Worker instance changed in the meantime must still count: these
 * change the database behind the app's back, as a sign-out or settings change served elsewhere would.
 */
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as schema from '../../db/schema.ts';
import { db, slotsOf } from '../support/database.ts';
import { givenTeacher } from '../support/scenario.ts';

const createSlot = (teacher: Awaited<ReturnType<typeof givenTeacher>>, start: string) =>
  teacher.api.post('/api/teacher/slots', { start, lengthMinutes: 30 });
const inDays = (days: number, time: string) =>
  new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10) + `T${time}`;

describe('slot writes on a recently validated session', () => {
  it('refuse a session that ended elsewhere, and write nothing', async () => {
    const teacher = await givenTeacher();
    expect((await createSlot(teacher, inDays(3, '09:00'))).status).toBe(201);
    // Signed out through another instance: the row is gone, this instance still remembers the session.
    await db().delete(schema.authSessions).where(eq(schema.authSessions.userId, teacher.id));
    const refused = await createSlot(teacher, inDays(3, '11:00'));
    expect(refused.status).toBe(401);
    expect(await slotsOf(teacher.id)).toHaveLength(1);
    const weekly = await teacher.api.post('/api/teacher/slots/recurring', {
      days: [1, 2, 3],
      startTime: '08:00',
      from: inDays(10, '').slice(0, 10),
      until: inDays(20, '').slice(0, 10),
    });
    expect(weekly.status).toBe(401);
    expect(await slotsOf(teacher.id)).toHaveLength(1);
  });

  it('refuse a disabled account at once', async () => {
    const teacher = await givenTeacher();
    expect((await createSlot(teacher, inDays(4, '09:00'))).status).toBe(201);
    await db().update(schema.users).set({ disabledAt: Date.now() }).where(eq(schema.users.id, teacher.id));
    expect((await createSlot(teacher, inDays(4, '11:00'))).status).toBe(401);
    expect(await slotsOf(teacher.id)).toHaveLength(1);
  });

  it('use the teacher’s current time zone after a settings change made elsewhere', async () => {
    const teacher = await givenTeacher({ timeZone: 'Europe/Berlin' });
    expect((await createSlot(teacher, inDays(5, '09:00'))).status).toBe(201);
    await db()
      .update(schema.teachers)
      .set({ timeZone: 'America/New_York', updatedAt: Date.now() })
      .where(eq(schema.teachers.id, teacher.id));
    const start = inDays(6, '09:00');
    const created = await createSlot(teacher, start);
    expect(created.status).toBe(201);
    // 09:00 in New York, not in Berlin.
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'America/New_York',
      hour: '2-digit',
      minute: '2-digit',
    }).format(created.body.slots[0].startsAt);
    expect(local).toBe('09:00');
  });

  it('keep working, and keep refusing overlaps, on the remembered session', async () => {
    const teacher = await givenTeacher();
    for (let i = 0; i < 3; i++) expect((await createSlot(teacher, inDays(7, `0${i + 6}:00`))).status).toBe(201);
    const overlap = await createSlot(teacher, inDays(7, '06:15'));
    expect(overlap.status).toBe(409);
    expect(overlap.body.error.code).toBe('slot_overlap');
    expect(await slotsOf(teacher.id)).toHaveLength(3);
  });
});
