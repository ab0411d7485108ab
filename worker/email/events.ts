/**
 * What providers report after an email left: bounces and spam complaints, from Resend's webhooks (signed the
 * Svix way) and from Cloudflare Email Service's event subscriptions (delivered through a Queue). Each is turned
 * into one shape, a DeliveryProblem; anything else (delivered, opened, soft bounces still being retried) is
 * ignored. students/email-problems.ts records it.
 */
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';

export interface DeliveryProblem {
  kind: 'bounced' | 'complained';
  /** The id the provider gave the email when it took it (recorded on the outbox row). */
  providerMessageId: string | null;
  recipient: string | null;
  /** For the teacher, in plain words. */
  reason: string;
}

const shortReason = (text: string | undefined) => (text ?? '').replace(/\s+/g, ' ').trim().slice(0, 200);

export const COMPLAINT_REASON =
  'The student marked an email from Slotcast as spam, so no more emails go to this address until you correct or confirm it.';
export const bounceReason = (detail: string | undefined) =>
  `Emails to this address bounce: the student's mail server says it can't be delivered${shortReason(detail) ? ` (${shortReason(detail)})` : ''}. Check the address with the student.`;

const resendEvent = z.object({
  type: z.string(),
  data: z.object({
    email_id: z.string().optional(),
    to: z.union([z.array(z.string()), z.string()]).optional(),
    bounce: z.object({ type: z.string().optional(), message: z.string().optional() }).optional(),
  }),
});

/** Resend's `email.bounced` (a permanent rejection, by Resend's definition) and `email.complained`. */
export function parseResendEvent(body: unknown): DeliveryProblem | null {
  const parsed = resendEvent.safeParse(body);
  if (!parsed.success) return null;
  const { type, data } = parsed.data;
  const recipient = (Array.isArray(data.to) ? data.to[0] : data.to)?.toLowerCase() ?? null;
  const providerMessageId = data.email_id ?? null;
  if (type === 'email.bounced') {
    // Resend sends email.bounced for permanent rejections; a "Transient" type is a soft bounce still retried.
    if (data.bounce?.type && /transient/i.test(data.bounce.type)) return null;
    return { kind: 'bounced', providerMessageId, recipient, reason: bounceReason(data.bounce?.message) };
  }
  if (type === 'email.complained')
    return { kind: 'complained', providerMessageId, recipient, reason: COMPLAINT_REASON };
  return null;
}

/**
 * Cloudflare Email Sending's events as we understand their documented shape (DESIGN.md says what was assumed):
 * `{ type: "cf.email.sending.message.bounced" | "…complained" | …, payload: { messageId, recipient,
 * bounce?: { type: "hard" | "soft", reason? }, complaint?: { type } } }`. Only hard bounces count: soft ones are
 * retried by Cloudflare and arrive as `message.deferred` while they are.
 */
const cloudflareEvent = z.object({
  type: z.string(),
  payload: z.object({
    messageId: z.string().optional(),
    recipient: z.string().optional(),
    bounce: z.object({ type: z.string().optional(), reason: z.string().optional() }).optional(),
  }),
});

export function parseCloudflareEvent(body: unknown): DeliveryProblem | null {
  const parsed = cloudflareEvent.safeParse(body);
  if (!parsed.success) return null;
  const { type, payload } = parsed.data;
  const base = { providerMessageId: payload.messageId ?? null, recipient: payload.recipient?.toLowerCase() ?? null };
  if (type.endsWith('message.bounced')) {
    if (payload.bounce?.type && payload.bounce.type !== 'hard') return null;
    return { kind: 'bounced', ...base, reason: bounceReason(payload.bounce?.reason) };
  }
  if (type.endsWith('message.complained')) return { kind: 'complained', ...base, reason: COMPLAINT_REASON };
  return null;
}

/**
 * Checks a Resend webhook's Svix signature (svix-id, svix-timestamp, svix-signature: HMAC-SHA256 of
 * "id.timestamp.body" with the `whsec_` secret, any of the listed v1 signatures) with the Standard Webhooks
 * library, which Svix's scheme is, and its five-minute timestamp tolerance against the wall clock (a replay
 * window is about real time, not the test clock). Returns the parsed body, or null when anything is off.
 */
export function verifyResendWebhook(secret: string, rawBody: string, header: (name: string) => string | undefined) {
  const headers = {
    'webhook-id': header('svix-id') ?? '',
    'webhook-timestamp': header('svix-timestamp') ?? '',
    'webhook-signature': header('svix-signature') ?? '',
  };
  try {
    return new Webhook(secret).verify(rawBody, headers) as unknown;
  } catch {
    return null;
  }
}
