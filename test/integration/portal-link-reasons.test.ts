import { describe, expect, it } from 'vitest';
import { givenStudent, givenTeacher } from '../support/scenario.ts';

describe('a dead booking link says what happened to it', () => {
  it('calls a link replaced when the teacher made the student a newer one', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    expect((await teacher.api.post(`/api/teacher/students/${student.id}/share-link`, {})).status).toBe(201);
    const old = await student.portal.calendar();
    expect(old.status).toBe(410);
    expect(old.body.error).toMatchObject({ code: 'link_revoked', details: { state: 'revoked', replaced: true } });
    expect(old.body.error.message).toMatch(/replaced by a newer one/);
  });

  it('calls a link turned off when the teacher revoked it and made none newer', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    expect((await teacher.api.post(`/api/teacher/students/${student.id}/share-link/revoke`)).status).toBe(200);
    const revoked = await student.portal.calendar();
    expect(revoked.status).toBe(410);
    expect(revoked.body.error.code).toBe('link_revoked');
    expect(revoked.body.error.details).toEqual({ state: 'revoked' });
    expect(revoked.body.error.message).toMatch(/turned this booking link off/);
  });

  it('calls a link expired once its time is up, whatever came after', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher, { expiresInDays: 1 });
    const later = student.portal.api.at(Date.now() + 2 * 86_400_000);
    const expired = await later.get(`/api/booking/${student.token}/calendar`);
    expect(expired.status).toBe(410);
    expect(expired.body.error.code).toBe('link_expired');
  });
});
