/**
 * How a live calendar connects and reconnects: the partysocket options the web client uses, shared so that
 * `npm run bench -- reconnect` opens its sockets exactly the way the pages do. Pure: no runtime APIs.
 */
import type { Options } from 'partysocket/ws';

/** The partysocket options of a live calendar socket (the caller adds WebSocket in Node, and its own close rule). */
export function liveSocketOptions(): Options {
  return {
    minReconnectionDelay: 500 + Math.random() * 1500,
    maxReconnectionDelay: 15_000,
    reconnectionDelayGrowFactor: 1.6,
  };
}

/** A ticket for the next upgrade. */
export interface LiveTicket {
  value: string;
  expiresAt: number;
}

/** The socket's path for its next attempt: with the ticket while it is good. */
export function liveSocketUrl(path: string, ticket: LiveTicket | null, now: number): string {
  return ticket && ticket.expiresAt > now ? `${path}?ticket=${encodeURIComponent(ticket.value)}` : path;
}
