import { Hono } from 'hono';
import { DomainError } from '../errors.ts';
import { currentTeacher, requireTeacher } from '../http/middleware.ts';
import type { AppEnv } from '../http/types.ts';
import type { Audience } from '../live/audience.ts';
import { calendarStub } from '../live/publish.ts';

/** WebSocket upgrades: authenticate here, then hand the socket to the teacher's calendar object. */
export const liveRoutes = new Hono<AppEnv>().get('/teacher', requireTeacher, async (c) => {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') throw new DomainError('upgrade_required', 400, 'Connect with a WebSocket.');
  const teacher = currentTeacher(c);
  const audience: Audience = { kind: 'teacher', teacherId: teacher.id };
  const headers = new Headers(c.req.raw.headers);
  headers.set('x-slotcast-audience', JSON.stringify(audience));
  headers.set('x-slotcast-teacher', teacher.id);
  // The version read with the session: a fresh or restarted object starts from what the database says.
  headers.set('x-slotcast-version', String(teacher.calendarVersion));
  return calendarStub(c.env, teacher.id).fetch(new Request(c.req.raw.url, { headers }));
});
