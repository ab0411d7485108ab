import { Hono, type Context } from 'hono';
import { getDb } from '../db.ts';
import { DomainError } from '../errors.ts';
import { currentTeacher, requireTeacher } from '../auth/guard.ts';
import type { AppEnv } from '../http/types.ts';
import type { Audience } from '../live/audience.ts';
import { calendarStub } from '../live/publish.ts';
import { resolveLink } from '../share-links/resolve.ts';

/**
 * Hands an authenticated WebSocket upgrade to the teacher's calendar object, with who is watching and the
 * version read with the credential (so a fresh object starts from what the database says).
 */
function connect(c: Context<AppEnv>, teacher: { id: string; calendarVersion: number }, audience: Audience) {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket')
    throw new DomainError('upgrade_required', 400, 'Connect with a WebSocket.');
  const headers = new Headers(c.req.raw.headers);
  headers.set('x-slotcast-audience', JSON.stringify(audience));
  headers.set('x-slotcast-teacher', teacher.id);
  headers.set('x-slotcast-version', String(teacher.calendarVersion));
  return calendarStub(c.env, teacher.id).fetch(new Request(c.req.raw.url, { headers }));
}

export const liveRoutes = new Hono<AppEnv>()
  .get('/teacher', requireTeacher, (c) => {
    const teacher = currentTeacher(c);
    return connect(c, teacher, { kind: 'teacher', teacherId: teacher.id });
  })
  /** A student watching through a share link: privacy-filtered, closed when the link is revoked. */
  .get('/link/:token', async (c) => {
    const { link, student, teacher } = await resolveLink(getDb(c.env), c.req.param('token'), c.get('now'), [
      'active',
      'used_up',
    ]);
    return connect(c, teacher, { kind: 'student', studentId: student.id, linkId: link.id });
  });
