/**
 * The SMTP sink: accepts every message on loopback, parses it and stores it. Faults can be switched on to
 * test delivery retries: reject the next N messages with a temporary error, or stop accepting connections.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import PostalMime from 'postal-mime';
import type { MailStore } from './store.ts';

export type Fault = { mode: 'reject'; count: number } | { mode: 'down' } | { mode: 'up' };

export async function startSmtpSink(store: MailStore, options: { host: string; port: number }) {
  let rejectNext = 0;
  let down = false;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 20 * 1024 * 1024,
    onConnect(_session, callback) {
      if (down) return callback(Object.assign(new Error('Service not available, try again later'), { responseCode: 421 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        if (rejectNext > 0) {
          rejectNext--;
          return callback(Object.assign(new Error('Temporary failure, try again later'), { responseCode: 451 }));
        }
        try {
          const raw = Buffer.concat(chunks);
          const parsed = await PostalMime.parse(raw);
          const addresses = (list?: { address?: string }[]) => (list ?? []).map((a) => a.address ?? '').filter(Boolean);
          await store.add({
            id: randomUUID(),
            receivedAt: Date.now(),
            envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()) },
            messageId: parsed.messageId ?? null,
            from: parsed.from?.address ?? '',
            to: addresses(parsed.to as { address?: string }[]).map((a) => a.toLowerCase()),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: parsed.html ?? '',
            attachments: (parsed.attachments ?? []).map((a) => {
              const content = typeof a.content === 'string' ? Buffer.from(a.content) : Buffer.from(a.content as ArrayBuffer);
              return { filename: a.filename ?? 'attachment', contentType: a.mimeType, size: content.length, contentBase64: content.toString('base64') };
            }),
          });
          callback();
        } catch (error) {
          callback(error as Error);
        }
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  server.on('error', () => {});
  return {
    port: (server.server.address() as AddressInfo).port,
    fault(fault: Fault) {
      if (fault.mode === 'reject') rejectNext = fault.count;
      else down = fault.mode === 'down';
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
