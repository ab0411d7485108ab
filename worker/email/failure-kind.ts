/**
 * Is a failed send worth retrying? A permanent refusal (the receiving server or the provider said no to this
 * email, and will say no again) marks the outbox row `failed` at once; everything else is transient and retried
 * with backoff (delivery.ts). When unsure, transient: a retry costs little, dropping a deliverable email a lot.
 *
 * - SMTP: a 5xx reply to MAIL FROM, RCPT TO, DATA or the message body is permanent (RFC 5321 §4.2.1); 4xx
 *   replies, a refused or dropped connection, timeouts and greeting/EHLO/AUTH trouble (the relay, not this email)
 *   are transient.
 * - Resend: 4xx validation or permission answers (400, 401, 403, 404, 409, 422) are permanent; 429 and 5xx are
 *   transient, as is a network error.
 * - Cloudflare Email Service's binding: its error codes that describe the message or the sender's setup
 *   (`E_SENDER_NOT_VERIFIED`, `E_RECIPIENT_NOT_ALLOWED`, …) are permanent; the rest (rate limits, internal
 *   errors, unknown codes) transient.
 */

export type FailureKind = 'permanent' | 'transient';

/** An HTTP provider's refusal, with its status (thrown by providers.ts). */
export class ProviderHttpError extends Error {
  constructor(
    readonly provider: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ProviderHttpError';
  }
}

/** Codes of the Email Service binding that a retry can't change. */
const CLOUDFLARE_PERMANENT = new Set([
  'E_SENDER_NOT_VERIFIED',
  'E_SENDER_DOMAIN_NOT_AVAILABLE',
  'E_RECIPIENT_NOT_ALLOWED',
  'E_RECIPIENT_SUPPRESSED',
  'E_HEADER_NOT_ALLOWED',
  'E_HEADER_USE_API_FIELD',
  'E_HEADER_VALUE_INVALID',
  'E_HEADER_NAME_INVALID',
  'E_FIELD_MISSING',
  'E_CONTENT_TOO_LARGE',
  'E_TOO_MANY_RECIPIENTS',
  'E_VALIDATION_ERROR',
  'E_INVALID_ADDRESS',
]);

/** worker-mailer's messages for a refused transaction step, followed by the server's reply. */
const SMTP_TRANSACTION_REPLY =
  /^(?:Invalid (?:MAIL FROM|RCPT TO): <[^>]*>(?: [A-Z]+=\S*)*|Failed to send DATA:|Failed send email body:) ?([2-5])\d\d[\s-]/;

export function failureKind(error: unknown): FailureKind {
  if (error instanceof ProviderHttpError)
    return error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429
      ? 'permanent'
      : 'transient';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CLOUDFLARE_PERMANENT.has(code)) return 'permanent';
  const message = error instanceof Error ? error.message : String(error);
  const cloudflareCode = /\b(E_[A-Z_]+)\b/.exec(message)?.[1];
  if (cloudflareCode && CLOUDFLARE_PERMANENT.has(cloudflareCode)) return 'permanent';
  const smtp = SMTP_TRANSACTION_REPLY.exec(message);
  if (smtp?.[1] === '5') return 'permanent';
  return 'transient';
}
