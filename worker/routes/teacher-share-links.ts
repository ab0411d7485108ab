/**
 * Students' share links, as the teacher manages them: see, create or regenerate, change expiry and limit,
 * revoke, email; and create links for every student who has none.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { MAX_LINK_HOURS, MIN_LINK_HOURS } from '../../shared/student-panel.ts';
import { currentTeacher, requireTeacher } from '../auth/guard.ts';
import { getDb } from '../db.ts';
import { config } from '../env.ts';
import { clientIp, enforceRateLimit } from '../http/rate-limit.ts';
import type { AppEnv } from '../http/types.ts';
import { validate } from '../http/validate.ts';
import { flushLinkViews } from '../share-links/access.ts';
import { issueMissingLinks } from '../share-links/bulk.ts';
import { currentLink, emailLink, issueLink, revokeLink } from '../share-links/issue.ts';
import { changeLinkSettings } from '../share-links/settings.ts';
import { idParam } from './teacher-students.ts';

const expiresInDays = z
  .number()
  .int('Give whole days.')
  .min(1, 'A link lasts at least a day (or give hours).')
  .max(365, 'A link lasts at most a year.');
const expiresInHours = z
  .number()
  .int('Give whole hours.')
  .min(MIN_LINK_HOURS, 'A link lasts at least an hour.')
  .max(MAX_LINK_HOURS, 'A link lasts at most a year.');
const maxUses = z.number().int().min(1, 'Allow at least one booking, or no limit.').max(1000).nullable();

const oneUnit = (input: { expiresInDays?: number; expiresInHours?: number }) =>
  input.expiresInDays === undefined || input.expiresInHours === undefined;
const oneUnitMessage = { message: 'Give the expiry in days or in hours, not both.', path: ['expiresInHours'] };

const linkInput = z
  .object({
    expiresInDays: expiresInDays.optional(),
    expiresInHours: expiresInHours.optional(),
    maxUses: maxUses.optional(),
  })
  .strict()
  .refine(oneUnit, oneUnitMessage);

/** A change to the current link: its new expiry (from now) and/or booking limit. */
const linkChange = z
  .object({
    expiresInDays: expiresInDays.optional(),
    expiresInHours: expiresInHours.optional(),
    maxUses: maxUses.optional(),
  })
  .strict()
  .refine(oneUnit, oneUnitMessage)
  .refine((c) => c.expiresInDays !== undefined || c.expiresInHours !== undefined || c.maxUses !== undefined, {
    message: 'Give a new expiry or a booking limit.',
  })
  .transform(({ expiresInDays, expiresInHours, maxUses }) => ({
    expiresInHours: expiresInDays !== undefined ? expiresInDays * 24 : expiresInHours,
    maxUses,
  }));

const bulkInput = z
  .object({
    expiresInDays: expiresInDays.optional(),
    expiresInHours: expiresInHours.optional(),
    maxUses: maxUses.optional(),
  })
  .strict()
  .refine(oneUnit, oneUnitMessage);

const limitLinkWrites = (c: Context<AppEnv>) =>
  enforceRateLimit(c.env.RL_PORTAL_WRITE, `teacher-links:${currentTeacher(c).id}`, 'link changes');

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

  /** Changes the current link's expiry and booking limit; the student keeps the same link. */
  .patch('/:id/share-link', validate('param', idParam), validate('json', linkChange), async (c) => {
    await limitLinkWrites(c);
    const link = await changeLinkSettings(
      c.env,
      getDb(c.env),
      currentTeacher(c),
      c.req.valid('param').id,
      c.req.valid('json'),
      { ip: clientIp(c.req), userAgent: c.req.header('user-agent') },
      c.get('now'),
    );
    return c.json({ link });
  })

  /** A link for every student who has never had one, in one batch. */
  .post('/share-links', validate('json', bulkInput), async (c) => {
    await limitLinkWrites(c);
    const { expiresInDays, expiresInHours, maxUses } = c.req.valid('json');
    const result = await issueMissingLinks(
      c.env,
      getDb(c.env),
      currentTeacher(c),
      {
        expiresInHours: expiresInDays !== undefined ? expiresInDays * 24 : expiresInHours,
        maxUses,
        ip: clientIp(c.req),
        userAgent: c.req.header('user-agent'),
      },
      c.get('now'),
      config(c.env).SECRET_KEY,
    );
    return c.json(result, result.created > 0 ? 201 : 200);
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
