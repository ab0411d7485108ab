/**
 * Daily limits on the emails a teacher's click sends (share-link emails): 5 to one address from one teacher
 * and 200 from one teacher in any 24 hours, judged by the database; a refusal is a 429 whose Retry-After is
 * the real time until the oldest counted email leaves the window, and queues nothing.
 */
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as schema from '../../db/schema.ts';
import { db } from '../support/database.ts';
import { givenStudent, givenTeacher } from '../support/scenario.ts';
import { uniqueEmail } from '../support/stack.ts';

const HOUR_MS = 3_600_000;

/** Share-link emails the teacher sent earlier, written straight into the outbox as already sent. */
async function givenEarlierLinkEmails(teacherId: string, recipients: string[], ageMs: number) {
  const at = Date.now() - ageMs;
  await db()
    .insert(schema.emailOutbox)
    .values(
      recipients.map((recipient) => ({
        id: randomUUID(),
        recipient,
        template: 'share-link',
        payloadSealed: 'sent long ago',
        status: 'sent' as const,
        attempts: 1,
        nextAttemptAt: at,
        sentAt: at,
        teacherId,
        createdAt: at,
        updatedAt: at,
      })),
    );
}

const queuedLinkEmails = async (teacherId: string, recipient: string) =>
  db()
    .select()
    .from(schema.emailOutbox)
    .where(
      and(
        eq(schema.emailOutbox.teacherId, teacherId),
        eq(schema.emailOutbox.recipient, recipient),
        eq(schema.emailOutbox.status, 'queued'),
      ),
    );

describe('daily limits on share-link emails', () => {
  it('sends five emails to one student in a day, then answers 429 until the first is 24 hours old', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    const path = `/api/teacher/students/${student.id}/share-link/email`;
    const before = Date.now();
    for (let i = 0; i < 5; i++) expect((await teacher.api.post(path)).status).toBe(202);
    const refused = await teacher.api.post(path);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'email_limit' });
    expect(refused.body.error.message).toMatch(/5 emails from you in the last 24 hours/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    const elapsedSeconds = Math.ceil((Date.now() - before) / 1000);
    expect(retryAfter).toBeLessThanOrEqual(24 * 3600);
    expect(retryAfter).toBeGreaterThanOrEqual(24 * 3600 - elapsedSeconds - 1);
    const rows = await db()
      .select()
      .from(schema.emailOutbox)
      .where(and(eq(schema.emailOutbox.teacherId, teacher.id), eq(schema.emailOutbox.recipient, student.email)));
    expect(rows).toHaveLength(5);
  });

  it('tells the real time left when the oldest counted email is 22 hours old', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    await givenEarlierLinkEmails(teacher.id, Array(5).fill(student.email), 22 * HOUR_MS);
    const refused = await teacher.api.post(`/api/teacher/students/${student.id}/share-link/email`);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(2 * 3600 - 60);
    expect(retryAfter).toBeLessThanOrEqual(2 * 3600);
    expect(await queuedLinkEmails(teacher.id, student.email)).toEqual([]);
  });

  it('counts emails older than 24 hours no more', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    await givenEarlierLinkEmails(teacher.id, Array(5).fill(student.email), 25 * HOUR_MS);
    expect((await teacher.api.post(`/api/teacher/students/${student.id}/share-link/email`)).status).toBe(202);
  });

  it("limits a teacher to 200 a day across students, and doesn't count another teacher's", async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    await givenEarlierLinkEmails(
      teacher.id,
      Array.from({ length: 200 }, () => uniqueEmail('earlier')),
      23 * HOUR_MS,
    );
    const refused = await teacher.api.post(`/api/teacher/students/${student.id}/share-link/email`);
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toMatch(/200 link emails in the last 24 hours/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(3600 - 60);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(await queuedLinkEmails(teacher.id, student.email)).toEqual([]);

    const other = await givenTeacher();
    const theirStudent = await givenStudent(other);
    expect((await other.api.post(`/api/teacher/students/${theirStudent.id}/share-link/email`)).status).toBe(202);
  });
});
