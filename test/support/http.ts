/**
 * A small HTTP client for tests that behaves like one browser tab: it keeps a cookie jar, sends
 * `Origin: <appUrl>` on state-changing requests (as browsers do, and as the app's CSRF check expects),
 * speaks JSON, and never follows redirects, so tests see exactly what the server answered.
 */
import { inject } from 'vitest';

export interface HttpResponse<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when the body isn't JSON, or null when empty. */
  body: T;
  text: string;
}

export interface HttpClientOptions {
  /** Default: the stack's appUrl. */
  baseUrl?: string;
  /** Default: the base URL's origin; null sends none (to test the CSRF check). */
  origin?: string | null;
  /** Sent with every request, e.g. `{ 'cf-connecting-ip': uniqueIp() }`. */
  headers?: Record<string, string>;
}

type Body = unknown;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function httpClient(options: HttpClientOptions = {}) {
  const baseUrl = (options.baseUrl ?? inject('appUrl')).replace(/\/$/, '');
  const origin = options.origin === undefined ? new URL(baseUrl).origin : options.origin;
  const jar = new Map<string, string>();

  function remember(headers: Headers): void {
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
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  }

  async function request<T = any>(
    method: string,
    path: string,
    body?: Body,
    headers: Record<string, string> = {},
  ): Promise<HttpResponse<T>> {
    const upper = method.toUpperCase();
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const isRaw = typeof body === 'string' || body instanceof URLSearchParams || body instanceof FormData;
    const response = await fetch(baseUrl + path, {
      method: upper,
      redirect: 'manual',
      headers: {
        ...(SAFE_METHODS.has(upper) || origin === null ? {} : { origin }),
        ...(body === undefined || isRaw ? {} : { 'content-type': 'application/json' }),
        ...(cookie ? { cookie } : {}),
        ...options.headers,
        ...headers,
      },
      body: body === undefined ? undefined : isRaw ? (body as BodyInit) : JSON.stringify(body),
    });
    remember(response.headers);
    const text = await response.text();
    let parsed: unknown = text === '' ? null : text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        // Keep the text: a test asserting on it will show what came back.
      }
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  return {
    baseUrl,
    get: <T = any>(path: string, headers?: Record<string, string>) => request<T>('GET', path, undefined, headers),
    post: <T = any>(path: string, body?: Body, headers?: Record<string, string>) =>
      request<T>('POST', path, body ?? {}, headers),
    put: <T = any>(path: string, body?: Body, headers?: Record<string, string>) =>
      request<T>('PUT', path, body ?? {}, headers),
    patch: <T = any>(path: string, body?: Body, headers?: Record<string, string>) =>
      request<T>('PATCH', path, body ?? {}, headers),
    delete: <T = any>(path: string, headers?: Record<string, string>) => request<T>('DELETE', path, undefined, headers),
    request,
    /** The jar's cookies as a Cookie header value, e.g. to open a WebSocket as this client. */
    cookieHeader: () => [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
    cookie: (name: string): string | undefined => jar.get(name),
    setCookie(name: string, value: string | null): void {
      if (value === null) jar.delete(name);
      else jar.set(name, value);
    },
  };
}

export type HttpClient = ReturnType<typeof httpClient>;
