/**
 * Scenario builders for integration tests: they talk to the real stack (wrangler dev + libSQL dev server +
 * SMTP sink) started by the global setup, and read or arrange rows in the real database.
 */
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import WebSocket from 'ws';
import { Temporal } from 'temporal-polyfill';
import * as schema from '../../db/schema.ts';
import { createTeacherSession } from '../support/teacher-session.ts';
import { recordExchange } from '../support/token-ledger.ts';

export const appUrl = () => inject('appUrl');
export const mailboxUrl = () => inject('mailboxUrl');

let database: ReturnType<typeof drizzle<typeof schema>> | null = null;
export function db() {
  database ??= drizzle(createClient({ url: inject('dbUrl') }), { schema });
  return database;
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A browser-like API client: same-origin `Origin`, JSON, and an optional session cookie. */
export function apiClient(cookie?: string, extraHeaders: Record<string, string> = {}) {
  const call = async <T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> => {
    const response = await fetch(appUrl() + path, {
      method,
      redirect: 'manual',
      headers: {
        ...(method === 'GET' ? {} : { origin: appUrl() }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(cookie ? { cookie } : {}),
        ...extraHeaders,
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    recordExchange(cookie, response.headers, text);
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON: keep the text.
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  };
  return {
    cookie,
    get: <T = any>(path: string, headers?: Record<string, string>) => call<T>('GET', path, undefined, headers),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
      call<T>('POST', path, body ?? {}, headers),
    patch: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
      call<T>('PATCH', path, body ?? {}, headers),
    del: <T = any>(path: string, headers?: Record<string, string>) => call<T>('DELETE', path, undefined, headers),
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

export const uniqueEmail = (label = 'user') => `${label}-${randomUUID().slice(0, 8)}@example.test`;
/** A fresh client address per test, so per-IP rate limits of one test don't affect another. */
export const uniqueIp = () =>
  `2001:db8::${randomUUID().slice(0, 4)}:${randomUUID().slice(0, 4)}:${randomUUID().slice(0, 4)}`; // documentation range, never routed

/** A signed-in teacher, arranged directly in the database (the sign-in flow itself is tested in auth.test.ts). */
export async function givenTeacher(options: Partial<typeof schema.teachers.$inferInsert> = {}) {
  const teacher = await createTeacherSession(db(), options);
  return { ...teacher, api: apiClient(teacher.cookie) };
}

export async function slotsOf(teacherId: string) {
  return db().select().from(schema.slots).where(eq(schema.slots.teacherId, teacherId));
}

/** A WebSocket to the app with the given cookie, collecting every message it receives. */
export async function openLive(path: string, cookie?: string, origin = appUrl()) {
  const url = appUrl().replace(/^http/, 'ws') + path;
  const ws = new WebSocket(url, { headers: { ...(cookie ? { cookie } : {}), ...(origin ? { origin } : {}) } });
  const messages: any[] = [];
  const waiters: { predicate: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data));
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
    next(predicate: (m: any) => boolean, timeoutMs = 5000): Promise<any> {
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
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}

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

/** An email as the dev mailbox's JSON API returns it (scripts/mailbox/store.ts). */
export type ReceivedEmail = import('../../scripts/mailbox/store.ts').StoredEmail;

/** Polls the dev mailbox until an email to the address arrives (newest first). */
export async function waitForEmail(
  to: string,
  options: { subjectIncludes?: string; after?: number; timeoutMs?: number } = {},
): Promise<ReceivedEmail> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    const response = await fetch(`${mailboxUrl()}/api/messages?to=${encodeURIComponent(to)}`);
    const list = (await response.json()) as (ReceivedEmail & { receivedAt?: string | number })[];
    const match = list.find(
      (m) =>
        (!options.subjectIncludes || m.subject.includes(options.subjectIncludes)) &&
        (!options.after || new Date(m.receivedAt ?? 0).getTime() > options.after),
    );
    if (match) return match;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no email to ${to} within ${options.timeoutMs ?? 15_000} ms`);
}

export async function emailsTo(to: string): Promise<ReceivedEmail[]> {
  const response = await fetch(`${mailboxUrl()}/api/messages?to=${encodeURIComponent(to)}`);
  return (await response.json()) as ReceivedEmail[];
}

/** Waits until at least `count` emails reached the address; newest first. */
export async function waitForEmails(to: string, count: number, timeoutMs = 15_000): Promise<ReceivedEmail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await emailsTo(to);
    if (list.length >= count) return list;
    if (Date.now() > deadline) throw new Error(`expected ${count} emails to ${to}, got ${list.length}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The one-time token from a sign-in email's link (`…/login/verify#token=…`). */
export function tokenFromEmail(email: ReceivedEmail): string {
  const match = /\/login\/verify#token=([a-z2-7]+)/.exec(email.text);
  if (!match) throw new Error(`no sign-in link in: ${email.text.slice(0, 200)}`);
  return match[1]!;
}

/** An enrolled student with an active share link, made through the teacher's API like a teacher would. */
export async function givenStudent(
  teacher: { api: ApiClient },
  options: { name?: string; maxUses?: number | null; expiresInDays?: number } = {},
) {
  const added = await teacher.api.post('/api/teacher/students', {
    name: options.name ?? 'Sam Student',
    email: uniqueEmail('student'),
  });
  if (added.status !== 201) throw new Error(`adding a student failed: ${JSON.stringify(added.body)}`);
  const student = added.body.student as { id: string; name: string; email: string; color: string };
  const created = await teacher.api.post(`/api/teacher/students/${student.id}/share-link`, {
    maxUses: options.maxUses ?? null,
    expiresInDays: options.expiresInDays,
  });
  if (created.status !== 201) throw new Error(`creating a link failed: ${JSON.stringify(created.body)}`);
  const url = created.body.link.url as string;
  const token = url.split('/').at(-1)!;
  return { ...student, url, token, linkId: created.body.link.id as string, portal: portalClient(token) };
}

/** The student portal's API for one token, from one client address. */
export function portalClient(token: string, ip = uniqueIp()) {
  const api = apiClient(undefined, { 'cf-connecting-ip': ip });
  return {
    calendar: (query = '') => api.get(`/api/booking/${token}/calendar${query}`),
    book: (slotId: string) => api.post(`/api/booking/${token}/book`, { slotId }),
    myBookings: () => api.get(`/api/booking/${token}/my-bookings`),
    cancel: (bookingId: string) => api.post(`/api/booking/${token}/cancel/${bookingId}`),
  };
}

/** Open slots for a teacher, `hoursAhead` from now, one hour each, two hours apart. */
export async function givenSlots(teacher: { api: ApiClient }, count: number, hoursAhead = 48) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const start = new Date(Date.now() + (hoursAhead + i * 2) * 3_600_000);
    start.setUTCMinutes(0, 0, 0);
    const created = await teacher.api.post('/api/teacher/slots', {
      start: start.toISOString().slice(0, 19) + 'Z',
      lengthMinutes: 60,
      subject: `Lesson ${i + 1}`,
    });
    if (created.status !== 201) throw new Error(`creating a slot failed: ${JSON.stringify(created.body)}`);
    ids.push(created.body.slots[0].id);
  }
  return ids;
}

/** The `?week=` value (that week's Monday) showing an instant to someone in `timeZone`. */
export function weekParam(epochMs: number, timeZone: string): string {
  const date = Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(timeZone).toPlainDate();
  return date.subtract({ days: date.dayOfWeek - 1 }).toString();
}

/** An API key the teacher made in settings, and a client for `POST /api/booking/confirm` that sends it. */
export async function givenApiKey(teacher: { api: ApiClient }, name = 'Website form') {
  const created = await teacher.api.post('/api/teacher/api-keys', { name });
  if (created.status !== 201) throw new Error(`creating an API key failed: ${JSON.stringify(created.body)}`);
  const secret = created.body.secret as string;
  const defaultIp = uniqueIp();
  // Server to server: no cookie, no Origin.
  const confirm = (body: unknown, { key = secret, ip = defaultIp }: { key?: string; ip?: string } = {}) =>
    fetch(appUrl() + '/api/booking/confirm', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'cf-connecting-ip': ip },
      body: JSON.stringify(body),
    }).then(async (r) => {
      const text = await r.text();
      recordExchange(undefined, r.headers, text);
      return { status: r.status, body: JSON.parse(text) as any, headers: r.headers };
    });
  return { id: created.body.key.id as string, secret, confirm };
}

/** A future hour, whole, `hoursAhead` from now, as an instant the API accepts. */
export function hoursFromNow(hoursAhead: number): string {
  const start = new Date(Date.now() + hoursAhead * 3_600_000);
  start.setUTCMinutes(0, 0, 0);
  return start.toISOString().slice(0, 19) + 'Z';
}

/**
 * Rate limits count in fixed one-minute windows (as Cloudflare's simple limiter and its local emulation do).
 * A test that counts requests up to a limit first waits for a new window when the current one has less than
 * `needSeconds` left, so its requests can't straddle a reset.
 */
export async function inFreshRateWindow(needSeconds = 20): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needSeconds * 1000) await new Promise((r) => setTimeout(r, left + 250));
}
