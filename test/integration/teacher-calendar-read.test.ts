/**
 * The teacher's calendar is read in one round trip: the session is checked in the same batch as the slots
 * (auth/guard.ts `readAsTeacher`). The slots must still reach only the teacher whose session holds.
 */
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import * as schema from '../../db/schema.ts';
import { testClient } from '../support/client.ts';
import { db } from '../support/database.ts';
import { givenSlots, givenTeacher, signedInAs } from '../support/scenario.ts';
import { uniqueEmail } from '../support/stack.ts';

const DAY_MS = 86_400_000;
const range = () => `from=${Date.now()}&to=${Date.now() + 7 * DAY_MS}`;

describe('the teacher calendar read', () => {
  it('answers the slots with the version they belong to', async () => {
    const teacher = await givenTeacher();
    const [slotId] = await givenSlots(teacher, 1);
    const first = await teacher.api.get(`/api/teacher/calendar?${range()}`);
    expect(first.status).toBe(200);
    expect(first.body.slots.map((s: { id: string }) => s.id)).toEqual([slotId]);
    expect(first.body.teacher.timeZone).toBe('Europe/Berlin');
    await givenSlots(teacher, 1, 72);
    const second = await teacher.api.get(`/api/teacher/calendar?${range()}`);
    expect(second.body.slots).toHaveLength(2);
    expect(second.body.version).toBe(first.body.version + 1);
  });

  it('gives nothing to a wrong secret, a signed-out session or a student', async () => {
    const teacher = await givenTeacher();
    await givenSlots(teacher, 1);
    const [sessionId] = teacher.cookie.split('=')[1]!.split('.');
    const forged = testClient({ cookie: `slotcast_session=${sessionId}.${'0'.repeat(40)}` });
    const wrong = await forged.get(`/api/teacher/calendar?${range()}`);
    expect(wrong.status).toBe(401);
    expect(wrong.body.slots).toBeUndefined();

    // Someone signed in without a teacher profile.
    const userId = randomUUID();
    await db()
      .insert(schema.users)
      .values({ id: userId, email: uniqueEmail('student'), name: 'Sam', role: 'student', createdAt: 1, updatedAt: 1 });
    const studentTab = await signedInAs(userId);
    const refused = await studentTab.get(`/api/teacher/calendar?${range()}`);
    expect(refused.status).toBe(403);
    expect(refused.body.slots).toBeUndefined();

    expect((await teacher.api.post('/api/auth/sign-out')).status).toBe(204);
    const after = await teacher.api.get(`/api/teacher/calendar?${range()}`);
    expect(after.status).toBe(401);
    expect(after.body.slots).toBeUndefined();
  });
});
