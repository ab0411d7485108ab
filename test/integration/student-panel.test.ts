import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import * as schema from '../../db/schema.ts';
import type { Json } from '../support/client.ts';
import { db } from '../support/database.ts';
import {
  givenEnrolledStudent,
  givenManyStudents,
  givenShareLink,
  givenSlots,
  givenStudent,
  givenTeacher,
} from '../support/scenario.ts';
import { until } from '../support/until.ts';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

const panel = async (teacher: Awaited<ReturnType<typeof givenTeacher>>) => {
  const answer = await teacher.api.get('/api/teacher/students');
  expect(answer.status).toBe(200);
  return answer.body as { now: number; students: Json[] };
};
const row = (rows: Json[], id: string) => rows.find((s) => s.id === id)!;

const auditOf = (action: string, targetId: string) =>
  db()
    .select()
    .from(schema.auditLog)
    .where(and(eq(schema.auditLog.action, action), eq(schema.auditLog.targetId, targetId)));

describe('the student panel', () => {
  it('shows each student’s link numbers, bookings through the link, next session and activity in one answer', async () => {
    const teacher = await givenTeacher({ minNoticeMinutes: 0 });
    const [slotId] = await givenSlots(teacher, 1, 30);
    const ada = await givenStudent(teacher, { name: 'Ada', maxUses: 3 });
    const ben = await givenEnrolledStudent(teacher, 'Ben');
    const cy = await givenStudent(teacher, { name: 'Cy', expiresInDays: 2 });

    expect((await ada.portal.calendar()).status).toBe(200);
    expect((await ada.portal.book(slotId!)).status).toBe(201);

    // Views are counted after the answer (and may be batched), so wait for the database to show it.
    const rows = (
      await until(
        () => panel(teacher),
        (p) => (row(p.students, ada.id).link?.accessCount ?? 0) >= 1,
      )
    ).students;
    expect(rows.map((s) => s.name)).toEqual(['Ada', 'Ben', 'Cy']);
    const a = row(rows, ada.id);
    expect(a.link).toMatchObject({ state: 'active', bookings: 1, useCount: 1, maxUses: 3, expiringSoon: false });
    expect(a.link.lastAccessedAt).toEqual(expect.any(Number));
    expect(a.nextSessionAt).toEqual(expect.any(Number));
    expect(a.inactive).toBe(false);
    expect(row(rows, ben.id)).toMatchObject({ link: null, nextSessionAt: null, inactive: true });
    // Two days left is "expiring soon"; never visited nor booked is inactive.
    expect(row(rows, cy.id)).toMatchObject({ link: { state: 'active', expiringSoon: true }, inactive: true });
  });

  it('judges "inactive" and "expiring soon" on the server’s clock', async () => {
    const teacher = await givenTeacher();
    const ada = await givenStudent(teacher, { name: 'Ada', expiresInDays: 5 });
    expect((await ada.portal.calendar()).status).toBe(200);
    const now = await until(
      () => panel(teacher),
      (p) => p.students[0].link.accessCount >= 1,
    );
    expect(now.students[0]).toMatchObject({ inactive: false, link: { expiringSoon: false } });
    const later = (await teacher.api.at(Date.now() + 3 * DAY).get('/api/teacher/students')).body;
    expect(later.students[0]).toMatchObject({ inactive: false, link: { state: 'active', expiringSoon: true } });
    const expired = (await teacher.api.at(Date.now() + 6 * DAY).get('/api/teacher/students')).body;
    expect(expired.students[0]).toMatchObject({ link: { state: 'expired', expiringSoon: false } });
    // A visit 31 days ago (arranged: sessions don't last a month of test clock) leaves the student inactive.
    await db()
      .update(schema.shareLinks)
      .set({ lastAccessedAt: Date.now() - 31 * DAY })
      .where(eq(schema.shareLinks.id, ada.linkId));
    expect((await panel(teacher)).students[0]).toMatchObject({ inactive: true });
  });

  it('creates links for every student who has none, in one request, and only for them', async () => {
    const teacher = await givenTeacher();
    const other = await givenTeacher();
    const many = await givenManyStudents(teacher, 30);
    const withLink = await givenStudent(teacher, { name: 'Has Link' });
    const revoked = await givenStudent(teacher, { name: 'Was Revoked' });
    await teacher.api.post(`/api/teacher/students/${revoked.id}/share-link/revoke`);
    const othersStudent = await givenEnrolledStudent(other, 'Not Yours');

    const made = await teacher.api.post('/api/teacher/students/share-links', { expiresInHours: 12, maxUses: 2 });
    expect(made.status).toBe(201);
    expect(made.body).toEqual({ created: 30, remaining: 0 });

    const rows = (await panel(teacher)).students;
    for (const s of many)
      expect(row(rows, s.id).link).toMatchObject({
        state: 'active',
        maxUses: 2,
        url: expect.stringContaining('/book/'),
      });
    const first = row(rows, many[0]!.id).link;
    expect(first.expiresAt - first.createdAt).toBe(12 * HOUR);
    expect(row(rows, withLink.id).link.id).toBe(withLink.linkId);
    // A revoked link was the teacher's decision: it stays revoked.
    expect(row(rows, revoked.id).link.state).toBe('revoked');
    expect((await panel(other)).students.find((s) => s.id === othersStudent.id).link).toBeNull();
    // Every link is audited, and works.
    expect(await auditOf('share_link.created', first.id)).toHaveLength(1);
    const token = first.url.split('/').at(-1);
    expect((await teacher.api.get(`/api/booking/${token}/calendar`)).status).toBe(200);

    // A second click finds nobody left.
    const again = await teacher.api.post('/api/teacher/students/share-links', {});
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ created: 0, remaining: 0 });
  });

  it('gives a student one link when two bulk requests race', async () => {
    const teacher = await givenTeacher();
    const many = await givenManyStudents(teacher, 20);
    const answers = await Promise.all([
      teacher.api.post('/api/teacher/students/share-links', {}),
      teacher.api.post('/api/teacher/students/share-links', {}),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 201].sort());
    expect(answers.reduce((sum, a) => sum + a.body.created, 0)).toBe(20);
    const links = await db().select().from(schema.shareLinks).where(eq(schema.shareLinks.teacherId, teacher.id));
    expect(new Set(links.map((l) => l.studentId)).size).toBe(many.length);
    expect(links).toHaveLength(many.length);
  });

  it('changes a link’s expiry in hours and its booking limit, keeping the same link', async () => {
    const teacher = await givenTeacher({ minNoticeMinutes: 0 });
    const ada = await givenStudent(teacher, { name: 'Ada' });
    const changed = await teacher.api.patch(`/api/teacher/students/${ada.id}/share-link`, {
      expiresInHours: 2,
      maxUses: 1,
    });
    expect(changed.status).toBe(200);
    expect(changed.body.link).toMatchObject({ id: ada.linkId, url: ada.url, maxUses: 1, state: 'active' });
    expect((await ada.portal.calendar()).status).toBe(200);
    // Three hours on, the same link has expired.
    const later = ada.portal.api.at(Date.now() + 3 * HOUR);
    expect((await later.get(`/api/booking/${ada.token}/calendar`)).status).toBe(410);

    const [entry] = await auditOf('share_link.changed', ada.linkId);
    expect(entry).toMatchObject({ studentId: ada.id, changes: { maxUses: { from: null, to: 1 } } });

    // Days work too, and no limit again.
    const days = await teacher.api.patch(`/api/teacher/students/${ada.id}/share-link`, {
      expiresInDays: 7,
      maxUses: null,
    });
    expect(days.body.link.maxUses).toBeNull();
    expect(days.body.link.expiresAt - Date.now()).toBeGreaterThan(7 * DAY - 60_000);
  });

  it('refuses bad changes with a sentence, and changes nothing', async () => {
    const teacher = await givenTeacher({ minNoticeMinutes: 0 });
    const other = await givenTeacher();
    const [slotId] = await givenSlots(teacher, 1, 30);
    const ada = await givenStudent(teacher, { name: 'Ada' });
    expect((await ada.portal.book(slotId!)).status).toBe(201);
    const before = (await panel(teacher)).students[0].link;
    for (const body of [
      {},
      { expiresInHours: 0 },
      { expiresInHours: 1.5 },
      { expiresInHours: 24 * 366 },
      { expiresInDays: 1, expiresInHours: 1 },
      { maxUses: 0 },
      { maxUses: 'many' },
      { expiresAt: 1 },
    ]) {
      const refused = await teacher.api.patch(`/api/teacher/students/${ada.id}/share-link`, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error.message).toEqual(expect.any(String));
    }
    // Fewer bookings allowed than already made through the link (two, arranged in the database).
    await db().update(schema.shareLinks).set({ useCount: 2, maxUses: 2 }).where(eq(schema.shareLinks.id, ada.linkId));
    const under = await teacher.api.patch(`/api/teacher/students/${ada.id}/share-link`, { maxUses: 1 });
    expect(under.status).toBe(400);
    expect(under.body.error.message).toMatch(/at least 2/);

    // Another teacher's student is not found; a revoked link can't be changed.
    expect((await other.api.patch(`/api/teacher/students/${ada.id}/share-link`, { maxUses: 5 })).status).toBe(404);
    await teacher.api.post(`/api/teacher/students/${ada.id}/share-link/revoke`);
    expect((await teacher.api.patch(`/api/teacher/students/${ada.id}/share-link`, { maxUses: 5 })).status).toBe(409);
    const after = (await panel(teacher)).students[0].link;
    expect(after.maxUses).toBe(2);
    expect(before.id).toBe(after.id);
  });

  it('creates a link that lasts hours, not only days', async () => {
    const teacher = await givenTeacher();
    const ben = await givenEnrolledStudent(teacher, 'Ben');
    const made = await teacher.api.post(`/api/teacher/students/${ben.id}/share-link`, { expiresInHours: 6 });
    expect(made.status).toBe(201);
    expect(made.body.link.expiresAt - made.body.link.createdAt).toBe(6 * HOUR);
    const link = await givenShareLink(teacher, ben.id, { expiresInDays: 1 });
    expect(link.linkId).not.toBe(made.body.link.id);
  });
});
