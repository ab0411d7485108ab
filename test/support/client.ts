/**
 * The one HTTP client for tests. It behaves like one browser tab: a cookie jar, `Origin: <appUrl>` on
 * state-changing requests (as browsers send it, and as the app's CSRF check expects), JSON bodies, and no
 * redirects followed, so a test sees exactly what the server answered.
 *
 * - `client.get/post/put/patch/delete(path, …)` answer `{ status, headers, body, text }` with `body` parsed;
 *   name the body's shape with the type parameter where the test reads fields (`client.get<Me>(…)`).
 * - `client.api` is Hono's typed client over the same jar (`await client.api.auth.me.$get()`): request and
 *   response types come from the Worker's `AppType`.
 * - `client.at(instant)` is the same tab with the test clock set: every request carries `X-Slotcast-Now`
 *   (honoured only by a stack started for tests; see /work/notes/clock.md and DESIGN.md).
 * - `client.request(method, path, { body, headers })` is the low-level call for tests whose point is a
 *   raw request (a missing Origin, a body that isn't JSON, a header of their own).
 *
 * Every exchange goes into the token ledger (test/support/token-ledger.ts) when the shared stack runs, so the
 * last test of the run can search the logs for each secret handed out.
 */
import { hc } from 'hono/client';
import { inject } from 'vitest';
import type { AppType } from '../../worker/app.ts';
import { recordExchange } from './token-ledger.ts';

/** The test clock's request header (worker/clock.ts). */
export const NOW_HEADER = 'x-slotcast-now';

// The default body type for a test that reads fields of an answer it then asserts on; `client.api` or a named
// type parameter is the typed alternative. `unknown` here would make every field read a cast.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON answer whose shape the test asserts
export type Json = any;

export interface TestResponse<T = Json> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when the body isn't JSON, or null when empty. */
  body: T;
  text: string;
}

/** An instant as epoch ms, a Date, or anything with `epochMilliseconds` (Temporal.Instant, ZonedDateTime). */
export type InstantLike = number | Date | { epochMilliseconds: number };

export interface TestClientOptions {
  /** Default: the stack's appUrl. */
  baseUrl?: string;
  /** Default: the base URL's origin; null sends none (to test the CSRF check). */
  origin?: string | null;
  /** The client's address (`cf-connecting-ip`), e.g. `uniqueIp()` so per-IP rate limits stay per test. */
  ip?: string;
  /** Cookies to start with, as a Cookie header value (`slotcast_session=…`). */
  cookie?: string;
  /** Sent with every request. */
  headers?: Record<string, string>;
  /** The test clock's "now" for every request. */
  now?: InstantLike;
}

export interface RequestOptions {
  /** A string, URLSearchParams or FormData is sent as is; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const epochMs = (instant: InstantLike): number =>
  typeof instant === 'number' ? instant : instant instanceof Date ? instant.getTime() : instant.epochMilliseconds;

/** The stack's data dir when the shared stack runs (the token ledger lives there); undefined otherwise. */
function ledgerAvailable(): boolean {
  try {
    return !!inject('dataDir');
  } catch {
    return false;
  }
}

class CookieJar {
  private readonly cookies = new Map<string, string>();

  constructor(initial?: string) {
    for (const pair of (initial ?? '').split(';')) {
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  set(name: string, value: string | null): void {
    if (value === null) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }

  /** Takes in a response's Set-Cookie lines: a cookie set empty, with Max-Age ≤ 0 or expired is removed. */
  remember(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const maxAge = attributes.map((a) => /^\s*max-age\s*=\s*(-?\d+)/i.exec(a)?.[1]).find((v) => v !== undefined);
      const expires = attributes.map((a) => /^\s*expires\s*=\s*(.+)$/i.exec(a)?.[1]).find((v) => v !== undefined);
      const expired =
        (maxAge !== undefined && Number(maxAge) <= 0) || (expires !== undefined && Date.parse(expires) <= Date.now());
      this.set(name, expired || value === '' ? null : value);
    }
  }
}

export function testClient(options: TestClientOptions = {}) {
  return clientOver(new CookieJar(options.cookie), options);
}

function clientOver(jar: CookieJar, options: TestClientOptions) {
  const baseUrl = (options.baseUrl ?? inject('appUrl')).replace(/\/$/, '');
  const origin = options.origin === undefined ? new URL(baseUrl).origin : options.origin;
  const record = ledgerAvailable();

  /** `fetch` as this tab: its cookies, Origin, address and clock; what it sets goes into the jar. */
  async function tabFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
    const url = input instanceof Request ? input.url : String(input);
    const method = (init.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const headers = new Headers(input instanceof Request ? input.headers : undefined);
    if (!SAFE_METHODS.has(method) && origin !== null) headers.set('origin', origin);
    if (options.ip) headers.set('cf-connecting-ip', options.ip);
    if (options.now !== undefined) headers.set(NOW_HEADER, String(epochMs(options.now)));
    const cookie = jar.header();
    if (cookie) headers.set('cookie', cookie);
    for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
    for (const [name, value] of new Headers(init.headers)) headers.set(name, value);
    const response = await fetch(url, { ...init, method, headers, redirect: 'manual' });
    jar.remember(response.headers);
    if (record) recordExchange(cookie, response.headers, await response.clone().text());
    return response;
  }

  async function request<T = Json>(method: string, path: string, init: RequestOptions = {}): Promise<TestResponse<T>> {
    const { body } = init;
    const isRaw = typeof body === 'string' || body instanceof URLSearchParams || body instanceof FormData;
    const response = await tabFetch(baseUrl + path, {
      method,
      headers: { ...(body === undefined || isRaw ? {} : { 'content-type': 'application/json' }), ...init.headers },
      body: body === undefined ? undefined : isRaw ? (body as BodyInit) : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text === '' ? null : text;
    try {
      if (text) parsed = JSON.parse(text);
    } catch {
      // Not JSON: keep the text, so a test asserting on it shows what came back.
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  return {
    baseUrl,
    /** Hono's typed client for the Worker's `/api` routes, through this tab. */
    api: hc<AppType>(`${baseUrl}/api`, { fetch: tabFetch }),
    get: <T = Json>(path: string, headers?: Record<string, string>) => request<T>('GET', path, { headers }),
    /** A missing body is sent as `{}`, as the web app does. */
    post: <T = Json>(path: string, body: unknown = {}, headers?: Record<string, string>) =>
      request<T>('POST', path, { body, headers }),
    put: <T = Json>(path: string, body: unknown = {}, headers?: Record<string, string>) =>
      request<T>('PUT', path, { body, headers }),
    patch: <T = Json>(path: string, body: unknown = {}, headers?: Record<string, string>) =>
      request<T>('PATCH', path, { body, headers }),
    delete: <T = Json>(path: string, headers?: Record<string, string>) => request<T>('DELETE', path, { headers }),
    request,
    fetch: tabFetch,
    /** The same tab (same cookie jar) with the test clock at `instant` for every request. */
    at: (instant: InstantLike) => clientOver(jar, { ...options, now: epochMs(instant) }),
    /** The jar's cookies as a Cookie header value, e.g. to open a WebSocket as this tab. */
    cookieHeader: () => jar.header(),
    cookie: (name: string) => jar.get(name),
    setCookie: (name: string, value: string | null) => jar.set(name, value),
  };
}

export type TestClient = ReturnType<typeof testClient>;
