/**
 * Share-link views are counted by the teacher's calendar object and written together (DESIGN.md "Link views
 * are buffered by the calendar object"): every view must still become exactly one link event, at the time of
 * the view, and one step of the access count.
 */
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import * as schema from '../../db/schema.ts';
import { db } from '../support/database.ts';
import { givenStudent, givenTeacher } from '../support/scenario.ts';
import { until } from '../support/until.ts';

const MINUTE_MS = 60_000;

const viewEventsOf = (linkId: string) =>
  db()
    .select({ at: schema.linkEvents.at })
    .from(schema.linkEvents)
    .where(and(eq(schema.linkEvents.shareLinkId, linkId), eq(schema.linkEvents.kind, 'view')))
    .orderBy(schema.linkEvents.at);

const linkRow = async (linkId: string) =>
  (await db().select().from(schema.shareLinks).where(eq(schema.shareLinks.id, linkId)))[0]!;

describe('share-link views', () => {
  it('counts every view exactly once, each at its own time, and shows each in the audit trail', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    const start = Date.now() + MINUTE_MS;
    const instants = Array.from({ length: 12 }, (_, i) => start + i * MINUTE_MS);
    await Promise.all(
      instants.map(async (at) =>
        expect((await student.portal.api.at(at).get(calendarPath(student.token))).status).toBe(200),
      ),
    );
    // The teacher's read writes the buffered views first; a view still on its way to the object (the portal
    // hands it over after answering) is written by a later read.
    const link = await until(
      async () => (await teacher.api.get(`/api/teacher/students/${student.id}/share-link`)).body.link,
      (l) => l.accessCount >= instants.length,
    );
    expect(link.accessCount).toBe(instants.length);
    expect(link.lastAccessedAt).toBe(instants.at(-1));
    expect((await viewEventsOf(student.linkId)).map((e) => e.at)).toEqual(instants);
    // The audit trail's "link opened" entries are these events: one per view, none written twice.
    const opened = await teacher.api.get('/api/teacher/audit?action=share_link.accessed');
    expect(opened.status).toBe(200);
    expect(opened.body.entries.map((e: { at: number }) => e.at).sort()).toEqual(instants);

    // Reading again writes nothing twice.
    const again = await teacher.api.get(`/api/teacher/students/${student.id}/share-link`);
    expect(again.body.link.accessCount).toBe(instants.length);
    expect(await viewEventsOf(student.linkId)).toHaveLength(instants.length);
  });

  it('writes buffered views on its own within seconds, without anyone reading the counts', async () => {
    const teacher = await givenTeacher();
    const student = await givenStudent(teacher);
    for (let i = 0; i < 5; i++) expect((await student.portal.calendar()).status).toBe(200);
    const events = await until(
      () => viewEventsOf(student.linkId),
      (rows) => rows.length >= 5,
    );
    expect(events).toHaveLength(5);
    const row = await until(
      () => linkRow(student.linkId),
      (r) => r.accessCount >= 5,
    );
    expect(row.accessCount).toBe(5);
  });

  it('counts views of one teacher’s links apart from another’s', async () => {
    const [teacherA, teacherB] = [await givenTeacher(), await givenTeacher()];
    const [a, b] = [await givenStudent(teacherA), await givenStudent(teacherB)];
    for (let i = 0; i < 3; i++) await a.portal.calendar();
    await b.portal.calendar();
    const count = async (teacher: typeof teacherA, studentId: string) =>
      (await teacher.api.get(`/api/teacher/students/${studentId}/share-link`)).body.link.accessCount as number;
    await until(
      async () => [await count(teacherA, a.id), await count(teacherB, b.id)],
      ([ca, cb]) => ca! >= 3 && cb! >= 1,
    );
    expect([await count(teacherA, a.id), await count(teacherB, b.id)]).toEqual([3, 1]);
  });
});

const calendarPath = (token: string) => `/api/booking/${token}/calendar`;
