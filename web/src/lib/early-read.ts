/**
 * Reads a page starts in its load function, alongside its area's session check, instead of from the component
 * that shows them once it has rendered: one round trip less before the page has its content. The component
 * takes the read under the same key for its first load; a read is taken once, and only while fresh (a load run
 * by hovering a link may never be followed by the page).
 */
import type { ClientResponse } from 'hono/client';
import { call } from './api.ts';
import { takeShellRead } from './shell-reads.ts';

const FRESH_MS = 10_000;
const started = new Map<string, { at: number; read: Promise<unknown> }>();

/** Starts `read` now, for the component that shows it; returns it too (the page may wait on it). */
export function startRead<T>(key: string, read: () => Promise<T>): Promise<T> {
  // The page's HTML shell may have started it already (lib/shell-reads.ts).
  const promise = shellReadOr(key, read);
  // Handled by the component that takes it; this only keeps an early failure from counting as unhandled.
  promise.catch(() => {});
  started.set(key, { at: Date.now(), read: promise });
  return promise;
}

/** The read started under `key`, if fresh and not taken yet; else `read()` now. */
export function takeRead<T>(key: string, read: () => Promise<T>): Promise<T> {
  const early = started.get(key);
  started.delete(key);
  return early && Date.now() - early.at < FRESH_MS ? (early.read as Promise<T>) : read();
}

/**
 * The response the page's HTML shell fetched under `key` (lib/shell-reads.ts: the same address the typed client
 * would ask), read as the client would; else `read()` now.
 */
export function shellReadOr<T>(key: string, read: () => Promise<T>): Promise<T> {
  const response = takeShellRead(key);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the response of the request the typed client sends
  return response ? call(response as unknown as Promise<ClientResponse<T, any, any>>) : read();
}
