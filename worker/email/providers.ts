/** The ways Slotcast hands an email to the outside world, chosen by EMAIL_PROVIDER. */
import { LogLevel, WorkerMailer } from 'worker-mailer';
import './smtp-hangup-guard.ts';
import type { RenderedEmail } from '../../emails/index.ts';
import { config, type Config, type Env } from '../env.ts';
import { mimeMailbox, mimeSubject, quotedMailbox, safeHeaders, type SafeHeaders } from './headers.ts';
import { ProviderHttpError } from './failure-kind.ts';

export interface OutgoingEmail extends RenderedEmail {
  to: string;
  /** The outbox row id: our Message-ID and the provider's idempotency key. */
  outboxId: string;
}

export interface SendResult {
  provider: string;
  providerMessageId: string;
}

function messageId(h: SafeHeaders, outboxId: string): string {
  const domain = h.from.email.split('@')[1] ?? 'slotcast.invalid';
  return `<${outboxId.replace(/[^A-Za-z0-9-]/g, '')}@${domain}>`;
}

/** Every header value of the email, made safe here whatever the template or the database held. */
const headersOf = (cfg: Config, email: OutgoingEmail) =>
  safeHeaders({
    from: cfg.EMAIL_FROM,
    to: email.to,
    subject: email.subject,
    extra: { 'X-Slotcast-Outbox-Id': email.outboxId },
  });

const smtpOptions = (cfg: Config) => ({
  host: cfg.SMTP_HOST,
  port: cfg.SMTP_PORT,
  secure: cfg.SMTP_SECURE,
  startTls: cfg.SMTP_STARTTLS,
  credentials: cfg.SMTP_USER && cfg.SMTP_PASS ? { username: cfg.SMTP_USER, password: cfg.SMTP_PASS } : undefined,
  authType: cfg.SMTP_USER ? ('plain' as const) : undefined,
  socketTimeoutMs: 10_000,
  responseTimeoutMs: 10_000,
  // worker-mailer's own error lines quote the SMTP transcript, recipient address included; the error it
  // throws reaches delivery.ts, which logs it with addresses masked.
  logLevel: LogLevel.NONE,
});

/**
 * worker-mailer writes From, To and Subject as given when they are in `headers`, and would otherwise leave a
 * pure-ASCII subject and quoted names unescaped, so the raw values are built by headers.ts.
 */
function smtpMessage(cfg: Config, email: OutgoingEmail) {
  const h = headersOf(cfg, email);
  const id = messageId(h, email.outboxId);
  const message = {
    from: { email: h.from.email },
    to: h.to,
    subject: h.subject,
    text: email.text,
    html: email.html,
    headers: { From: mimeMailbox(h.from), To: h.to, Subject: mimeSubject(h.subject), 'Message-ID': id },
    attachments: email.attachments?.map((a) => ({
      filename: a.filename,
      content: a.content,
      mimeType: a.contentType,
    })),
  };
  return { id, message };
}

/**
 * One SMTP connection for the emails of one queue batch, opened at the first email: the connection, greeting,
 * EHLO (and STARTTLS, AUTH) and QUIT are paid once per batch instead of once per email, so an email costs its
 * MAIL, RCPT, DATA and body (DESIGN.md, "Cost per request"). After any failure the connection is dropped and
 * the next email opens a new one: a refused or half-finished transaction never leaves the next email on a
 * connection in an unknown state.
 */
function smtpSender(cfg: Config): EmailSender {
  let mailer: Promise<WorkerMailer> | null = null;
  const drop = (open: Promise<WorkerMailer>) =>
    open.then(
      (m) => m.close().catch(() => undefined),
      () => undefined,
    );
  return {
    async send(email) {
      const { id, message } = smtpMessage(cfg, email);
      const open = (mailer ??= WorkerMailer.connect(smtpOptions(cfg)));
      try {
        await (await open).send(message);
      } catch (error) {
        if (mailer === open) mailer = null;
        void drop(open);
        throw error;
      }
      return { provider: 'smtp', providerMessageId: id };
    },
    async close() {
      const open = mailer;
      mailer = null;
      if (open) await drop(open);
    },
  };
}

async function sendResend(cfg: Config, email: OutgoingEmail): Promise<SendResult> {
  if (!cfg.RESEND_API_KEY) throw new Error('RESEND_API_KEY is not set');
  const h = headersOf(cfg, email);
  const response = await fetch(`${cfg.RESEND_API_URL}/emails`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${cfg.RESEND_API_KEY}`,
      'content-type': 'application/json',
      // Resend deduplicates retries of one outbox row for 24 hours.
      'idempotency-key': email.outboxId,
    },
    body: JSON.stringify({
      from: quotedMailbox(h.from),
      to: [h.to],
      subject: h.subject,
      html: email.html,
      text: email.text,
      attachments: email.attachments?.map((a) => ({
        filename: a.filename,
        content: a.content,
        content_type: a.contentType,
      })),
    }),
  });
  if (!response.ok)
    throw new ProviderHttpError(
      'resend',
      response.status,
      `Resend answered ${response.status}: ${(await response.text()).slice(0, 200)}`,
    );
  const body = (await response.json()) as { id?: string };
  return { provider: 'resend', providerMessageId: body.id ?? '' };
}

/**
 * Email Service's `send()` with a message builder (the binding's current API). The platform sets Message-ID
 * itself and refuses it in `headers` (E_HEADER_NOT_ALLOWED), so the outbox id travels as an X- header, and the
 * id Cloudflare returns is what we record.
 */
async function sendCloudflare(env: Env, cfg: Config, email: OutgoingEmail): Promise<SendResult> {
  if (!env.EMAIL) throw new Error('The EMAIL binding (Cloudflare Email Service) is not configured');
  const h = headersOf(cfg, email);
  const result = await env.EMAIL.send({
    from: h.from.name ? { name: h.from.name, email: h.from.email } : h.from.email,
    to: h.to,
    subject: h.subject,
    html: email.html,
    text: email.text,
    headers: h.extra,
    // A string is read as base64, which is what the templates produce.
    attachments: email.attachments?.map((a) => ({
      disposition: 'attachment' as const,
      filename: a.filename,
      type: a.contentType,
      content: a.content,
    })),
  });
  return { provider: 'cloudflare', providerMessageId: result.messageId };
}

/** Sends emails one after another; `close` when done (an SMTP sender holds its connection until then). */
export interface EmailSender {
  send(email: OutgoingEmail): Promise<SendResult>;
  close(): Promise<void>;
}

/** A sender for a run of emails (one queue batch), by EMAIL_PROVIDER. */
export function emailSender(env: Env): EmailSender {
  const cfg = config(env);
  switch (cfg.EMAIL_PROVIDER) {
    case 'smtp':
      return smtpSender(cfg);
    case 'resend':
      return { send: (email) => sendResend(cfg, email), close: async () => {} };
    case 'cloudflare':
      return { send: (email) => sendCloudflare(env, cfg, email), close: async () => {} };
  }
}
