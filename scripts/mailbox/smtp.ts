/**
 * The SMTP sink: accepts every message on loopback (no auth, no TLS), parses it and stores it. Faults can be
 * switched on to test delivery retries: refuse the next N transactions with a temporary (or permanent) error,
 * hang up in the middle of the next N transactions, or stop listening altogether so connections are refused,
 * as when a relay is down.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import PostalMime, { type Address } from 'postal-mime';
import type { MailStore, StoredEmail } from './store.ts';

/** Where in the transaction a rejection happens: after MAIL FROM, after RCPT TO, or after the message data. */
export type FaultStage = 'mail' | 'rcpt' | 'data';

export type Fault =
  /** `to`: only transactions to this address are refused (so parallel tests don't take each other's faults). */
  | { mode: 'reject'; count: number; code?: number; at?: FaultStage; to?: string }
  /** Drop the connection without a reply after RCPT TO, as a relay that restarts mid-transaction does. */
  | { mode: 'hangup'; count: number; to?: string }
  | { mode: 'down' }
  | { mode: 'up' }
  | { mode: 'reset' };

export interface FaultState {
  down: boolean;
  reject: { remaining: number; code: number; at: FaultStage; to?: string };
  hangup: { remaining: number; to?: string };
}

/** Checks a fault request from the JSON API; returns a message saying what is wrong, or the fault. */
export function parseFault(body: unknown): Fault | string {
  const input = (body ?? {}) as Record<string, unknown>;
  switch (input.mode) {
    case 'down':
    case 'up':
    case 'reset':
      return { mode: input.mode };
    case 'hangup': {
      const count = input.count ?? 1;
      if (!Number.isInteger(count) || (count as number) < 0) return '"count" must be a whole number, 0 or more';
      if (input.to !== undefined && typeof input.to !== 'string') return '"to" must be an address';
      return {
        mode: 'hangup',
        count: count as number,
        ...(input.to ? { to: (input.to as string).toLowerCase() } : {}),
      };
    }
    case 'reject': {
      const count = input.count ?? 1;
      const code = input.code ?? 451;
      const at = input.at ?? 'data';
      if (!Number.isInteger(count) || (count as number) < 0) return '"count" must be a whole number, 0 or more';
      if (!Number.isInteger(code) || (code as number) < 400 || (code as number) > 599)
        return '"code" must be an SMTP error code (400-599)';
      if (at !== 'mail' && at !== 'rcpt' && at !== 'data') return '"at" must be "mail", "rcpt" or "data"';
      if (input.to !== undefined && (typeof input.to !== 'string' || at === 'mail'))
        return '"to" must be an address, and works at "rcpt" or "data"';
      return {
        mode: 'reject',
        count: count as number,
        code: code as number,
        at,
        ...(input.to ? { to: (input.to as string).toLowerCase() } : {}),
      };
    }
    default:
      return '"mode" must be "reject", "hangup", "down", "up" or "reset"';
  }
}

const addresses = (list: Address[] | undefined): string[] =>
  (list ?? [])
    .flatMap((a) => (a.group ? a.group.map((m) => m.address) : [a.address]))
    .filter(Boolean)
    .map((a) => a.toLowerCase());

async function toStoredEmail(raw: Buffer, session: SMTPServerSession): Promise<StoredEmail> {
  const parsed = await PostalMime.parse(raw, { attachmentEncoding: 'base64' });
  return {
    id: randomUUID(),
    receivedAt: Date.now(),
    envelope: {
      from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
    },
    messageId: parsed.messageId ?? null,
    from: addresses(parsed.from ? [parsed.from] : [])[0] ?? '',
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    subject: parsed.subject ?? '',
    headers: parsed.headers.map((h) => ({ key: h.originalKey || h.key, value: h.value })),
    text: parsed.text ?? '',
    html: parsed.html ?? '',
    attachments: parsed.attachments.map((a) => {
      const base64 = String(a.content);
      return {
        filename: a.filename ?? 'attachment',
        contentType: a.mimeType,
        disposition: a.disposition ?? 'attachment',
        contentId: a.contentId ?? null,
        size: Buffer.byteLength(base64, 'base64'),
        contentBase64: base64,
      };
    }),
  };
}

export async function startSmtpSink(store: MailStore, options: { host: string; port: number }) {
  const state: FaultState = { down: false, reject: { remaining: 0, code: 451, at: 'data' }, hangup: { remaining: 0 } };

  /** Drops the session's connection without a word, if a hangup is pending for this recipient. */
  const hungUp = (session: SMTPServerSession, recipient: string): boolean => {
    if (state.hangup.remaining === 0 || (state.hangup.to && state.hangup.to !== recipient)) return false;
    state.hangup.remaining--;
    const connections = (server as unknown as { connections: Set<{ id: string; _socket: { destroy(): void } }> })
      .connections;
    for (const connection of connections) if (connection.id === session.id) connection._socket.destroy();
    return true;
  };

  /** The error for this stage of a transaction if a rejection is pending, counting it. */
  const rejection = (stage: FaultStage, recipients: string[] = []): Error | null => {
    if (state.reject.remaining === 0 || state.reject.at !== stage) return null;
    if (state.reject.to && !recipients.includes(state.reject.to)) return null;
    state.reject.remaining--;
    const temporary = state.reject.code < 500;
    const text = temporary
      ? 'Temporary failure, try again later (dev mailbox fault)'
      : 'Message refused (dev mailbox fault)';
    return Object.assign(new Error(text), { responseCode: state.reject.code });
  };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    banner: 'Slotcast dev mailbox',
    size: 25 * 1024 * 1024,
    // Don't keep the process alive for half a minute waiting on an idle client when closing.
    closeTimeout: 500,
    onMailFrom(_address, _session, callback) {
      callback(rejection('mail') ?? undefined);
    },
    onRcptTo(address, session, callback) {
      if (hungUp(session, address.address.toLowerCase())) return;
      callback(rejection('rcpt', [address.address.toLowerCase()]) ?? undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        const refused = rejection(
          'data',
          session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
        );
        if (refused) return callback(refused);
        toStoredEmail(Buffer.concat(chunks), session)
          .then((email) => store.add(email))
          .then(
            () => callback(),
            (error: Error) => callback(error),
          );
      });
    },
  });
  // A client dropping its connection mid-dialogue is not the sink's problem.
  server.on('error', () => {});

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(port, options.host, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
  let port = options.port;
  await listen();
  port = (server.server.address() as AddressInfo).port;

  return {
    port,
    faults: (): FaultState => structuredClone(state),
    async fault(fault: Fault): Promise<void> {
      if (fault.mode === 'reject')
        state.reject = { remaining: fault.count, code: fault.code ?? 451, at: fault.at ?? 'data', to: fault.to };
      if (fault.mode === 'hangup') state.hangup = { remaining: fault.count, to: fault.to };
      if (fault.mode === 'reset') {
        state.reject = { remaining: 0, code: 451, at: 'data' };
        state.hangup = { remaining: 0 };
      }
      const down = fault.mode === 'down';
      if (down && !state.down) {
        // Stop listening and drop open sessions: new connections are refused until "up".
        state.down = true;
        const closed = new Promise<void>((resolve) => server.server.close(() => resolve()));
        for (const connection of (server as unknown as { connections: Set<{ close(): void }> }).connections)
          connection.close();
        await closed;
      } else if ((fault.mode === 'up' || fault.mode === 'reset') && state.down) {
        await listen();
        state.down = false;
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
