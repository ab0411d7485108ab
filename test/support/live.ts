/** WebSockets to the app's live endpoints, as a browser would open them. */
import WebSocket from 'ws';
import { epochMs, NOW_HEADER, type InstantLike, type Json } from './client.ts';
import { appUrl } from './stack.ts';

/** A live message as the tests read it: the protocol's `type` and whatever fields that type carries. */
export type LiveMessage = { type: string; [field: string]: Json };

export interface LiveOptions {
  /** Default: the app's origin; null sends none. */
  origin?: string | null;
  /** The test clock's "now" for the upgrade request. */
  now?: InstantLike;
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
    },
  });
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
    /** Resolves once the server has closed (or is closing) the socket. */
    closedByServer: (timeoutMs = 5000) =>
      new Promise<void>((resolve, reject) => {
        if (ws.readyState >= WebSocket.CLOSING) return resolve();
        const timer = setTimeout(() => reject(new Error(`the socket was still open after ${timeoutMs} ms`)), timeoutMs);
        ws.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}

export type Live = Awaited<ReturnType<typeof openLive>>;

/** Status of an upgrade attempt that the server refuses. */
export function refusedUpgradeStatus(path: string, headers: Record<string, string>): Promise<number> {
  const ws = new WebSocket(appUrl().replace(/^http/, 'ws') + path, { headers });
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => {
      ws.close();
      reject(new Error('upgrade unexpectedly accepted'));
    });
    ws.once('error', () => {});
  });
}
