/**
 * The dev mailbox: an SMTP sink that keeps every email the app sends, a web page to read them, and a JSON API
 * for tests. Emails are kept as JSON under `<dataDir>/mail/`, so they survive a restart.
 *
 *   GET    /                         the list, newest first
 *   GET    /messages/:id             one email: its HTML in a sandboxed frame, the text, attachments
 *   GET    /messages/:id/html        the email's HTML alone, under a CSP without scripts
 *   GET    /messages/:id/attachments/:index
 *   GET    /api/messages?to=address  JSON, newest first       GET /api/messages/:id
 *   DELETE /api/messages             delete every email
 *   GET    /api/faults               the faults switched on
 *   POST   /api/faults               {"mode":"reject","count":N[,"code":451][,"at":"mail"|"rcpt"|"data"]}
 *                                    {"mode":"hangup","count":N[,"to":address]}  (drop the connection after RCPT TO)
 *                                    {"mode":"down"} | {"mode":"up"} | {"mode":"reset"}
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { EMAIL_CSP, emailHtml, FAVICON, listPage, messagePage, PAGE_CSP } from './pages.ts';
import { parseFault, startSmtpSink } from './smtp.ts';
import { MailStore } from './store.ts';

export type { StoredEmail } from './store.ts';
export type { Fault, FaultState } from './smtp.ts';

export interface MailboxOptions {
  /** Emails go to `<dataDir>/mail/`. */
  dataDir: string;
  /** Loopback by default; the sink has no authentication, so don't expose it. */
  host?: string;
  /** Default 2525; 0 picks a free port. */
  smtpPort?: number;
  /** Default 8025; 0 picks a free port. */
  httpPort?: number;
}

export interface Mailbox {
  smtpPort: number;
  httpPort: number;
  /** The mailbox page, e.g. http://127.0.0.1:8025 */
  url: string;
  close(): Promise<void>;
}

export const DEFAULT_SMTP_PORT = 2525;
export const DEFAULT_HTTP_PORT = 8025;

type Reply = { status: number; type: string; body: string | Buffer; headers?: Record<string, string> };

const html = (body: string, status = 200): Reply => ({
  status,
  type: 'text/html; charset=utf-8',
  body,
  headers: { 'content-security-policy': PAGE_CSP },
});
const json = (body: unknown, status = 200): Reply => ({ status, type: 'application/json', body: JSON.stringify(body) });
const text = (body: string, status: number): Reply => ({ status, type: 'text/plain; charset=utf-8', body });

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  return raw.trim() ? JSON.parse(raw) : {};
}

export async function startMailbox(options: MailboxOptions): Promise<Mailbox> {
  const host = options.host ?? '127.0.0.1';
  const store = new MailStore(join(options.dataDir, 'mail'));
  const smtp = await startSmtpSink(store, { host, port: options.smtpPort ?? DEFAULT_SMTP_PORT });

  async function route(req: IncomingMessage): Promise<Reply> {
    const url = new URL(req.url ?? '/', 'http://mailbox.invalid');
    const [first, second, third, fourth, ...rest] = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const read = method === 'GET' || method === 'HEAD';
    // Tests call the API without an Origin; a web page elsewhere must not be able to clear the mailbox.
    const origin = req.headers.origin;
    if (!read && origin && origin !== `http://${req.headers.host}`)
      return text('Cross-origin requests are refused.', 403);

    if (read && !first) return html(listPage(store.all()));
    if (read && first === 'favicon.svg' && !second) return { status: 200, type: 'image/svg+xml', body: FAVICON };
    if (method === 'POST' && first === 'clear' && !second) {
      await store.clear();
      return { status: 303, type: 'text/plain', body: '', headers: { location: '/' } };
    }
    if (read && first === 'messages' && second && rest.length === 0) {
      const message = store.find(second);
      if (!message) return text('No such email (it may have been deleted).', 404);
      if (!third) return html(messagePage(message));
      if (third === 'html' && !fourth) {
        return {
          status: 200,
          type: 'text/html; charset=utf-8',
          body: emailHtml(message),
          headers: { 'content-security-policy': EMAIL_CSP },
        };
      }
      if (third === 'attachments' && fourth) {
        const attachment = message.attachments[Number(fourth)];
        if (!attachment) return text('No such attachment.', 404);
        const ascii = attachment.filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
        return {
          status: 200,
          type: attachment.contentType,
          body: Buffer.from(attachment.contentBase64, 'base64'),
          headers: {
            'content-disposition': `${attachment.disposition === 'inline' ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(attachment.filename)}`,
            'content-security-policy': "default-src 'none'; sandbox",
          },
        };
      }
    }
    if (first === 'api' && second === 'messages' && !fourth) {
      if (read && !third) {
        const to = url.searchParams.get('to');
        return json(to ? store.to(to) : store.all());
      }
      if (method === 'DELETE' && !third) {
        await store.clear();
        return json({ ok: true });
      }
      if (read && third) {
        const message = store.find(third);
        return message ? json(message) : json({ error: 'No such email' }, 404);
      }
    }
    if (first === 'api' && second === 'faults' && !third) {
      if (read) return json(smtp.faults());
      if (method === 'POST') {
        let body: unknown;
        try {
          body = await readJson(req);
        } catch {
          return json({ error: 'The body must be JSON, e.g. {"mode":"reject","count":1}' }, 400);
        }
        const fault = parseFault(body);
        if (typeof fault === 'string') return json({ error: fault }, 400);
        await smtp.fault(fault);
        return json(smtp.faults());
      }
    }
    return text('Not found.', 404);
  }

  const http = createServer((req, res: ServerResponse) => {
    route(req)
      .catch((error: unknown): Reply => json({ error: error instanceof Error ? error.message : String(error) }, 500))
      .then((reply) => {
        res.writeHead(reply.status, {
          'content-type': reply.type,
          'cache-control': 'no-store',
          'referrer-policy': 'no-referrer',
          'x-content-type-options': 'nosniff',
          ...reply.headers,
        });
        res.end(req.method === 'HEAD' ? undefined : reply.body);
      });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.httpPort ?? DEFAULT_HTTP_PORT, host, () => resolve());
    });
  } catch (error) {
    await smtp.close();
    throw error;
  }
  const httpPort = (http.address() as AddressInfo).port;
  let closing: Promise<void> | null = null;
  return {
    smtpPort: smtp.port,
    httpPort,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${httpPort}`,
    close() {
      closing ??= (async () => {
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        await smtp.close();
      })();
      return closing;
    },
  };
}
