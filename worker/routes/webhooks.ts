/**
 * What email providers tell us after sending: `POST /api/webhooks/resend` (Resend's webhook, Svix-signed), and,
 * on a test stack only, `POST /api/webhooks/test/cloudflare-email-events`, which publishes a body on the
 * `slotcast-email-events` queue as Cloudflare's event subscription does in production (jobs/email-events.ts
 * consumes both alike).
 */
import { Hono } from 'hono';
import { testClockEnabled } from '../clock.ts';
import { getDb } from '../db.ts';
import { parseResendEvent, verifyResendWebhook } from '../email/events.ts';
import { config } from '../env.ts';
import { DomainError, notFound } from '../errors.ts';
import { clientIp, enforceRateLimit } from '../http/rate-limit.ts';
import type { AppEnv } from '../http/types.ts';
import { recordDeliveryProblem } from '../students/email-problems.ts';

export const webhookRoutes = new Hono<AppEnv>()
  .post('/resend', async (c) => {
    await enforceRateLimit(c.env.RL_EMAIL_EVENTS, `ip:${clientIp(c.req)}`, 'webhook calls');
    const secret = config(c.env).RESEND_WEBHOOK_SECRET;
    if (!secret)
      throw new DomainError('webhook_not_configured', 503, 'Set RESEND_WEBHOOK_SECRET to receive Resend’s events.');
    const body = verifyResendWebhook(secret, await c.req.text(), (name) => c.req.header(name));
    if (body === null)
      throw new DomainError(
        'signature_invalid',
        401,
        'The webhook signature is missing, wrong or too old (more than five minutes).',
      );
    const problem = parseResendEvent(body);
    const recorded = problem ? await recordDeliveryProblem(c.env, getDb(c.env), problem, c.get('now')) : false;
    return c.json({ ok: true, recorded });
  })

  .post('/test/cloudflare-email-events', async (c) => {
    if (!testClockEnabled(c.env) || !c.env.EMAIL_EVENTS_QUEUE) throw notFound('No such endpoint.');
    await enforceRateLimit(c.env.RL_EMAIL_EVENTS, `ip:${clientIp(c.req)}`, 'webhook calls');
    const event: unknown = await c.req.json().catch(() => null);
    if (typeof event !== 'object' || event === null)
      throw new DomainError('invalid_request', 400, 'Send the event as a JSON object.');
    await c.env.EMAIL_EVENTS_QUEUE.send(event);
    return c.json({ ok: true }, 202);
  });
