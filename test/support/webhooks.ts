/**
 * Signing provider webhooks as the provider would: Resend signs the Svix way, an HMAC-SHA256 of
 * "<svix-id>.<svix-timestamp>.<body>" keyed with the base64 secret after its `whsec_` prefix, sent as
 * `svix-signature: v1,<base64>`. Computed here with node:crypto, independently of the Worker's library.
 */
import { createHmac, randomUUID } from 'node:crypto';

/** The shared test stack's RESEND_WEBHOOK_SECRET (not a real secret: 32 bytes of "slotcast-test…"). */
export const TEST_RESEND_WEBHOOK_SECRET = `whsec_${Buffer.from('slotcast-test-webhook-secret-32b').toString('base64')}`;

export function svixHeaders(
  body: string,
  options: { secret?: string; timestampSeconds?: number; id?: string } = {},
): Record<string, string> {
  const secret = options.secret ?? TEST_RESEND_WEBHOOK_SECRET;
  const id = options.id ?? `msg_${randomUUID().replaceAll('-', '')}`;
  const timestamp = String(options.timestampSeconds ?? Math.floor(Date.now() / 1000));
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return {
    'svix-id': id,
    'svix-timestamp': timestamp,
    'svix-signature': `v1,${signature}`,
    'content-type': 'application/json',
  };
}

/** Resend's `email.bounced` event for an email it sent. */
export const resendBounce = (emailId: string, to: string, message = 'The recipient address does not exist.') => ({
  type: 'email.bounced',
  created_at: new Date().toISOString(),
  data: {
    email_id: emailId,
    to: [to],
    from: 'Slotcast <no-reply@slotcast.test>',
    subject: 'Booked',
    bounce: { type: 'Permanent', subType: 'General', message },
  },
});

/** Cloudflare Email Sending's event as DESIGN.md describes what we assumed of it. */
export const cloudflareEvent = (kind: 'bounced' | 'complained', messageId: string, recipient: string) => ({
  type: `cf.email.sending.message.${kind}`,
  source: { type: 'email.sending', zoneId: 'zone', domain: 'slotcast.test' },
  payload: {
    eventId: randomUUID(),
    messageId,
    sender: 'no-reply@slotcast.test',
    recipient,
    terminal: true,
    delivery: { status: kind },
    ...(kind === 'bounced'
      ? { bounce: { type: 'hard', classification: 'unknown-user', reason: '550 5.1.1 No such user' } }
      : {}),
    ...(kind === 'complained' ? { complaint: { type: 'abuse' } } : {}),
  },
  metadata: {
    accountId: 'account',
    eventSubscriptionId: 'sub',
    eventSchemaVersion: 1,
    eventTimestamp: new Date().toISOString(),
  },
});
