/** WebSockets to the app's live endpoints, as a browser would open them. */
import WebSocket from 'ws';
import { epochMs, NOW_HEADER, type InstantLike, type Json } from './client.ts';
import { appUrl, uniqueIp } from './stack.ts';

/** A live message as the tests read it: the protocol's `type` and whatever fields that type carries. */
export type LiveMessage = { type: string; [field: string]: Json };

export interface LiveOptions {
  /** Default: the app's origin; null sends none. */
  origin?: string | null;
  /** The test clock's "now" for the upgrade request. */
  now?: InstantLike;
  /** The client's address (`cf-connecting-ip`); default: a fresh one, so per-address limits stay per test. */
  ip?: string;
}

/** A WebSocket to the app with the given cookie, collecting every message it receives. */
export async function openLive(path: string, cookie?: string, options: LiveOptions = {}) {
  const origin = options.origin === undefined ? appUrl() : options.origin;
  const url = appUrl().replace(/^http/, 'ws') + path;
  const ws = new WebSocket(url, {
    headers: {
      ...(cookie ? { cookie } : {}),
      ...(origin ? { origin } : {}),
      ...(options.now === undefined ? {} : { [NOW_HEADER]: String(epochMs(options.now)) }),
      'cf-connecting-ip': options.ip ?? uniqueIp(),
    },
  });
  /**
   * The close frame the server sent, once it has. `ws` reports a close only when the TCP connection ends, which
   * the local runtime can leave for many seconds after a close it started (a browser gives up waiting after
   * about two); the code and reason arrive with the close frame, which `ws` records as it reads it.
   */
  const closeFrame = () => {
    const frame = ws as unknown as { _closeFrameReceived: boolean; _closeCode: number; _closeMessage: Buffer };
    return frame._closeFrameReceived ? { code: frame._closeCode, reason: String(frame._closeMessage) } : null;
  };
  const messages: LiveMessage[] = [];
  const waiters: { predicate: (m: LiveMessage) => boolean; resolve: (m: LiveMessage) => void }[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as LiveMessage;
    messages.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    send: (message: unknown) => ws.send(JSON.stringify(message)),
    /** Resolves with the first message (already received or future) that matches. */
    next(predicate: (m: LiveMessage) => boolean, timeoutMs = 5000): Promise<LiveMessage> {
      const seen = messages.find(predicate);
      if (seen) {
        messages.splice(messages.indexOf(seen), 1);
        return Promise.resolve(seen);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `no matching live message within ${timeoutMs} ms; got ${JSON.stringify(messages).slice(0, 500)}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({
          predicate,
          resolve: (m) => {
            clearTimeout(timer);
            messages.splice(messages.indexOf(m), 1);
            resolve(m);
          },
        });
      });
    },
    /** Resolves with the close code and reason once the server's close frame has arrived. */
    closedByServer: (timeoutMs = 5000) =>
      new Promise<{ code: number; reason: string }>((resolve, reject) => {
        const started = Date.now();
        const poll = setInterval(() => {
          const frame = closeFrame();
          if (frame) {
            clearInterval(poll);
            resolve(frame);
          } else if (Date.now() - started > timeoutMs) {
            clearInterval(poll);
            reject(new Error(`the socket was still open after ${timeoutMs} ms`));
          }
        }, 20);
      }),
    /** True while the socket is open. */
    isOpen: () => ws.readyState === WebSocket.OPEN && !closeFrame(),
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        // The server already closed it: the handshake is done on our side, don't wait for the runtime's teardown.
        if (closeFrame()) ws.terminate();
        else ws.close();
      }),
  };
}

export type Live = Awaited<ReturnType<typeof openLive>>;

/** Status of an upgrade attempt that the server refuses. */
export function refusedUpgradeStatus(path: string, headers: Record<string, string>): Promise<number> {
  const ws = new WebSocket(appUrl().replace(/^http/, 'ws') + path, {
    headers: { 'cf-connecting-ip': uniqueIp(), ...headers },
  });
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => {
      ws.close();
      reject(new Error('upgrade unexpectedly accepted'));
    });
    ws.once('error', () => {});
  });
}
