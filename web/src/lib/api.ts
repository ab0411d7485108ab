/**
 * Calls to the Slotcast API with its error shape. Request and response types come from the Worker's routes
 * (`AppType`), so they are written once.
 */
import { hc, type ClientResponse } from 'hono/client';
import type { AppType } from '../../../worker/app.ts';

export interface ApiErrorBody {
  code: string;
  message: string;
  details?: {
    issues?: { path: string; message: string }[];
    conflicts?: { startsAt: number; endsAt: number }[];
    /** A refused share link: its state, and whether a newer link replaced it. */
    state?: string;
    replaced?: boolean;
  };
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ApiErrorBody['details'];
  readonly retryAfter: number | null;
  constructor(status: number, body: ApiErrorBody, retryAfter: number | null) {
    super(body.message);
    this.status = status;
    this.code = body.code;
    this.details = body.details;
    this.retryAfter = retryAfter;
  }

  /** Per-field messages from a 400, keyed by field path. */
  fieldErrors(): Record<string, string> {
    return Object.fromEntries((this.details?.issues ?? []).map((i) => [i.path, i.message]));
  }
}

// The build imports prerendered pages' load modules on the server to read their options, where there is no
// `location`; nothing is requested there (ssr is off: no load function runs).
const origin = typeof location === 'undefined' ? 'http://localhost' : location.origin;
export const api = hc<AppType>(`${origin}/api`, { init: { credentials: 'same-origin' } });

/** Awaits a typed client call, throwing ApiError for any non-2xx answer. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any status and format: one helper for every endpoint
export async function call<T>(request: Promise<ClientResponse<T, any, any>>): Promise<T> {
  let response;
  try {
    response = await request;
  } catch {
    throw new ApiError(
      0,
      { code: 'network', message: 'Slotcast could not be reached. Check your connection and try again.' },
      null,
    );
  }
  if (response.status === 204) return undefined as T;
  const body = (await response.json().catch(() => null)) as unknown;
  if (!response.ok) {
    const error = (body as { error?: ApiErrorBody } | null)?.error ?? {
      code: 'unknown',
      message: `Something went wrong (${response.status}).`,
    };
    const retryAfter = Number(response.headers.get('retry-after')) || null;
    throw new ApiError(response.status, error, retryAfter);
  }
  return body as T;
}

export { browserTimeZone } from './browser-zone.ts';
