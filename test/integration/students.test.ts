import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as schema from '../../db/schema.ts';
import { testClient, type Json } from '../support/client.ts';
import { db } from '../support/database.ts';
import { openLive } from '../support/live.ts';
import { waitForEmail } from '../support/mailbox.ts';
import { settledOutboxTo } from '../support/outbox.ts';
import { givenSlots, givenStudent, givenTeacher } from '../support/scenario.ts';
import { uniqueEmail } from '../support/stack.ts';
import { until } from '../support/until.ts';

describe('enrolled students', () => {
  it('adds students with distinct colors and lists their link status', async () => {
    const teacher = await givenTeacher();
    const a = await teacher.api.post('/api/teacher/students', { name: 'Ada', email: uniqueEmail('ada') });
    const b = await teacher.api.post('/api/teacher/students', { name: 'Ben', email: uniqueEmail('ben') });
    expect(a.status).toBe(201);
    expect(a.body.student.color).not.toBe(b.body.student.color);
    await teacher.api.post(`/api/teacher/students/${a.body.student.id}/share-link`, {});
    const list = await teacher.api.get('/api/teacher/students');
    expect(list.body.students.map((s: Json) => [s.name, s.link?.state ?? null])).toEqual([
      ['Ada', 'active'],
      ['Ben', null],
    ]);
  });

  it('refuses a duplicate email, bad input and unknown fields, writing nothing', async () => {
    const teacher = await givenTeacher();
    const email = uniqueEmail('dup');
    await teacher.api.post('/api/teacher/students', { name: 'One', email });
    expect((await teacher.api.post('/api/teacher/students', { name: 'Two', email: email.toUpperCase() })).status).toBe(
      409,
    );
    for (const body of [
      { name: '', email: uniqueEmail() },
      { name: 'X', email: 'nope' },
      { name: 'X', email: uniqueEmail(), color: 'red' },
      { name: 'X', email: uniqueEmail(), role: 'teacher' },
    ]) {
      expect((await teacher.api.post('/api/teacher/students', body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await teacher.api.get('/api/teacher/students')).body.students).toHaveLength(1);
  });

  it('edits a student and removes one without upcoming sessions', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    const edited = await teacher.api.patch(`/api/teacher/students/${student.id}`, { name: 'Samira', color: '#9f1239' });
    expect(edited.body.student).toMatchObject({ name: 'Samira', color: '#9f1239' });
    expect((await teacher.api.delete(`/api/teacher/students/${student.id}`)).status).toBe(204);
    expect((await student.portal.calendar()).status).toBe(404);
  });

  it("keeps one teacher away from another teacher's students", async () => {
    const owner = await givenTeacher();
    const other = await givenTeacher();
    const student = await givenStudent(owner);
    expect((await other.api.get(`/api/teacher/students/${student.id}/share-link`)).status).toBe(404);
    expect((await other.api.post(`/api/teacher/students/${student.id}/share-link`, {})).status).toBe(404);
    expect((await other.api.patch(`/api/teacher/students/${student.id}`, { name: 'Hijacked' })).status).toBe(404);
    expect((await other.api.get('/api/teacher/students')).body.students).toEqual([]);
  });
});

describe('share links', () => {
  it('gives a long random link that the teacher can show again, stored only hashed and sealed', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    expect(student.url).toMatch(new RegExp(`/book/${teacher.id}/[a-z2-7]{32}$`));
    const again = await teacher.api.get(`/api/teacher/students/${student.id}/share-link`);
    expect(again.body.link).toMatchObject({ url: student.url, state: 'active', useCount: 0 });
    const rows = await db().select().from(schema.shareLinks).where(eq(schema.shareLinks.studentId, student.id));
    expect(JSON.stringify(rows)).not.toContain(student.token);
  });

  it('regenerates a link: the old token stops working at once and its live connection is closed', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    const live = await openLive(`/api/live/link/${student.token}`);
    await live.next((m) => m.type === 'hello');
    const regenerated = await teacher.api.post(`/api/teacher/students/${student.id}/share-link`, {});
    expect(regenerated.status).toBe(201);
    expect(regenerated.body.link.url).not.toBe(student.url);
    expect(await live.next((m) => m.type === 'closed')).toMatchObject({
      reason: expect.stringMatching(/no longer valid/),
    });
    await live.closedByServer();
    const old = await student.portal.calendar();
    expect(old.status).toBe(410);
    expect(old.body.error.code).toBe('link_revoked');
    expect(old.body).not.toHaveProperty('slots');
    const fresh = regenerated.body.link.url.split('/').at(-1);
    expect((await testClient().get(`/api/booking/${fresh}/calendar`)).status).toBe(200);
    const actions = (await db().select().from(schema.auditLog).where(eq(schema.auditLog.actorId, teacher.id))).map(
      (r) => r.action,
    );
    expect(actions).toEqual(expect.arrayContaining(['share_link.created', 'share_link.regenerated']));
  });

  it('revokes a link', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    expect((await teacher.api.post(`/api/teacher/students/${student.id}/share-link/revoke`)).status).toBe(200);
    expect((await student.portal.calendar()).body.error.code).toBe('link_revoked');
    expect((await teacher.api.get(`/api/teacher/students/${student.id}/share-link`)).body.link).toMatchObject({
      state: 'revoked',
      url: null,
    });
  });

  it('shows an expired link as expired, and nothing of the calendar', async () => {
    const teacher = await givenTeacher();
    await givenSlots(teacher, 1);
    const student = await givenStudent(teacher);
    await db()
      .update(schema.shareLinks)
      .set({ expiresAt: Date.now() - 1000 })
      .where(eq(schema.shareLinks.id, student.linkId));
    const result = await student.portal.calendar();
    expect(result.status).toBe(410);
    expect(result.body.error).toMatchObject({ code: 'link_expired' });
    expect(JSON.stringify(result.body)).not.toMatch(/Lesson|startsAt|Test Teacher/);
  });

  it('answers a made-up or malformed token with the same 404', async () => {
    for (const token of ['a'.repeat(32), 'short', '..%2F..%2Fetc']) {
      const result = await testClient().get(`/api/booking/${token}/calendar`);
      expect(result.status).toBe(404);
      expect(result.body.error.code).toBe('link_invalid');
    }
  });

  it('emails the link to the student through the outbox', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    expect((await teacher.api.post(`/api/teacher/students/${student.id}/share-link/email`)).status).toBe(202);
    const email = await waitForEmail(student.email);
    expect(email.subject).toContain('invites you to book');
    expect(email.text).toContain(student.url);
  });

  it('counts accesses and records when the link was last used', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    await student.portal.calendar();
    await student.portal.calendar();
    // Views are counted after the answer is sent (waitUntil): wait for the count, which must reach exactly 2.
    const link = await until(
      async () => (await teacher.api.get(`/api/teacher/students/${student.id}/share-link`)).body.link,
      (l) => l.accessCount >= 2,
    );
    expect(link.accessCount).toBe(2);
    expect(link.lastAccessedAt).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe('email delivery, next to each student', () => {
  it('shows the teacher when the last email about a student failed for good', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    await teacher.api.post(`/api/teacher/students/${student.id}/share-link/email`);
    await waitForEmail(student.email);
    // The consumer marks the row sent only after the SMTP server has the message: wait for that write.
    await settledOutboxTo(student.email);
    expect((await teacher.api.get('/api/teacher/students')).body.students[0].lastEmail).toMatchObject({
      template: 'share-link',
      status: 'sent',
      attempts: 1,
    });
    await db()
      .update(schema.emailOutbox)
      .set({ status: 'failed', attempts: 8, lastError: '550 mailbox unavailable' })
      .where(eq(schema.emailOutbox.studentId, student.id));
    expect((await teacher.api.get('/api/teacher/students')).body.students[0].lastEmail).toMatchObject({
      status: 'failed',
      attempts: 8,
      lastError: '550 mailbox unavailable',
    });
  });
});
