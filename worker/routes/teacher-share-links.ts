/** A student's share link, as the teacher manages it: see, create or regenerate, revoke, email. */
import { Hono } from 'hono';
import { z } from 'zod';
import { currentTeacher, requireTeacher } from '../auth/guard.ts';
import { getDb } from '../db.ts';
import { clientIp } from '../http/rate-limit.ts';
import type { AppEnv } from '../http/types.ts';
import { validate } from '../http/validate.ts';
import { flushLinkViews } from '../share-links/access.ts';
import { currentLink, emailLink, issueLink, revokeLink } from '../share-links/issue.ts';
import { idParam } from './teacher-students.ts';

const linkInput = z
  .object({
    expiresInDays: z
      .number()
      .int()
      .min(1, 'A link lasts at least a day.')
      .max(365, 'A link lasts at most a year.')
      .optional(),
    maxUses: z.number().int().min(1, 'Allow at least one booking, or no limit.').max(1000).nullable().optional(),
  })
  .strict();

export const teacherShareLinkRoutes = new Hono<AppEnv>()
  .use(requireTeacher)

  .get('/:id/share-link', validate('param', idParam), async (c) => {
    // Views wait in the calendar object for a few seconds: write them first, so the count shown is current.
    await flushLinkViews(c.env, currentTeacher(c).id);
    const link = await currentLink(c.env, getDb(c.env), currentTeacher(c), c.req.valid('param').id, c.get('now'));
    return c.json({ link });
  })

  /** Creates the student's link, or regenerates it: any older link stops working at once. */
  .post('/:id/share-link', validate('param', idParam), validate('json', linkInput), async (c) => {
    const link = await issueLink(
      c.env,
      getDb(c.env),
      currentTeacher(c),
      c.req.valid('param').id,
      { ...c.req.valid('json'), ip: clientIp(c.req) },
      c.get('now'),
    );
    return c.json({ link }, 201);
  })

  .post('/:id/share-link/revoke', validate('param', idParam), async (c) => {
    const revoked = await revokeLink(c.env, getDb(c.env), currentTeacher(c), c.req.valid('param').id, c.get('now'));
    return c.json({ revoked });
  })

  /** Emails the student their current link, through the outbox. */
  .post('/:id/share-link/email', validate('param', idParam), async (c) => {
    const { recipient } = await emailLink(
      c.env,
      getDb(c.env),
      currentTeacher(c),
      c.req.valid('param').id,
      c.get('now'),
    );
    return c.json({ ok: true, message: `The link is on its way to ${recipient}.` }, 202);
  });
