/**
 * The dev mailbox: an SMTP sink plus a web page to read what was sent, and a JSON API for tests.
 *   GET  /                          the list          GET /messages/:id        one email
 *   GET  /api/messages?to=address   JSON, newest first   DELETE /api/messages  clear
 *   POST /api/faults {"mode":"reject","count":N} | {"mode":"down"} | {"mode":"up"}
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { listPage, messagePage } from './pages.ts';
import { startSmtpSink, type Fault } from './smtp.ts';
import { MailStore } from './store.ts';

export interface MailboxOptions {
  dataDir: string;
  host?: string;
  smtpPort?: number;
  httpPort?: number;
}

export async function startMailbox(options: MailboxOptions) {
  const host = options.host ?? '127.0.0.1';
  const store = new MailStore(join(options.dataDir, 'mail'));
  const smtp = await startSmtpSink(store, { host, port: options.smtpPort ?? 0 });
  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...extra });
    res.end(body);
  };
  const json = (res: ServerResponse, status: number, body: unknown) => send(res, status, 'application/json', JSON.stringify(body));
  const http = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const parts = url.pathname.split('/').filter(Boolean);
      if (req.method === 'GET' && url.pathname === '/') return send(res, 200, 'text/html; charset=utf-8', listPage(await store.all()));
      if (req.method === 'POST' && url.pathname === '/clear') {
        await store.clear();
        return send(res, 303, 'text/plain', '', { location: '/' });
      }
      if (req.method === 'GET' && parts[0] === 'messages' && parts[1]) {
        const message = await store.find(parts[1]);
        if (!message) return send(res, 404, 'text/plain', 'No such email');
        if (parts[2] === 'html') {
          // The email's own HTML, with no scripts and nothing loaded from anywhere.
          return send(res, 200, 'text/html; charset=utf-8', message.html, { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation" });
        }
        if (parts[2] === 'attachments' && parts[3]) {
          const attachment = message.attachments[Number(parts[3])];
          if (!attachment) return send(res, 404, 'text/plain', 'No such attachment');
          return send(res, 200, attachment.contentType, Buffer.from(attachment.contentBase64, 'base64'), { 'content-disposition': `attachment; filename="${attachment.filename.replace(/"/g, '')}"` });
        }
        return send(res, 200, 'text/html; charset=utf-8', messagePage(message));
      }
      if (url.pathname === '/api/messages' && req.method === 'GET') {
        const to = url.searchParams.get('to')?.toLowerCase();
        const all = await store.all();
        return json(res, 200, to ? all.filter((m) => m.to.includes(to) || m.envelope.to.includes(to)) : all);
      }
      if (url.pathname === '/api/messages' && req.method === 'DELETE') {
        await store.clear();
        return json(res, 200, { ok: true });
      }
      if (parts[0] === 'api' && parts[1] === 'messages' && parts[2] && req.method === 'GET') {
        const message = await store.find(parts[2]);
        return message ? json(res, 200, message) : json(res, 404, { error: 'not found' });
      }
      if (url.pathname === '/api/faults' && req.method === 'POST') {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        smtp.fault(JSON.parse(Buffer.concat(chunks).toString()) as Fault);
        return json(res, 200, { ok: true });
      }
      return send(res, 404, 'text/plain', 'Not found');
    } catch (error) {
      return json(res, 500, { error: String(error) });
    }
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.httpPort ?? 0, host, () => resolve());
  });
  const httpPort = (http.address() as AddressInfo).port;
  return {
    smtpPort: smtp.port,
    httpPort,
    url: `http://${host}:${httpPort}`,
    async close() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await smtp.close();
    },
  };
}
