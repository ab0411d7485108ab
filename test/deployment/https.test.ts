/**
 * Slotcast deployed behind https: the Worker on its own stack with an https APP_URL (the stack itself still
 * listens on plain http on loopback, as a Worker behind Cloudflare's TLS does). What a browser receives must
 * carry the protections only https allows: a `__Host-` session cookie that is Secure, and HSTS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../scripts/stack.ts';
import { waitForEmail } from '../support/mailbox.ts';
import { startOwnStack, stopOwnStack, type OwnStack } from '../support/own-stack.ts';

const APP_URL = 'https://slotcast.example';
let own: OwnStack;
let stack: Stack;

beforeAll(async () => {
  own = await startOwnStack({ APP_URL });
  stack = own.stack;
});
afterAll(() => stopOwnStack(own));

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(stack.appUrl + path, {
    method: 'POST',
    headers: { origin: APP_URL, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('served over https', () => {
  it('signs in with a __Host- prefixed, Secure session cookie, and sends HSTS', async () => {
    const email = `https-${Date.now()}@example.test`;
    const asked = await post('/api/auth/magic-link', { email });
    expect(asked.status).toBe(202);
    expect(asked.headers.get('strict-transport-security')).toMatch(/max-age=\d{8,}/);

    const message = await waitForEmail(email, { mailboxUrl: stack.mailboxUrl });
    expect(message.text).toContain(`${APP_URL}/login/verify#token=`);
    const token = /#token=([a-z2-7]+)/.exec(message.text)![1]!;

    const verified = await post('/api/auth/magic-link/verify', { token });
    expect(verified.status).toBe(200);
    const setCookie = verified.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^__Host-slotcast_session=/);
    expect(setCookie).toMatch(/;\s*Secure/i);
    expect(setCookie).toMatch(/;\s*HttpOnly/i);
    expect(setCookie).toMatch(/;\s*Path=\//);
    expect(setCookie).not.toMatch(/Domain=/i);
    const value = /^__Host-slotcast_session=([^;]+)/.exec(setCookie)![1]!;

    const me = await fetch(`${stack.appUrl}/api/auth/me`, { headers: { cookie: `__Host-slotcast_session=${value}` } });
    expect(me.status).toBe(200);
    // The unprefixed name (a cookie anyone on a sibling host or plain http could set) is not a session here.
    const planted = await fetch(`${stack.appUrl}/api/auth/me`, { headers: { cookie: `slotcast_session=${value}` } });
    expect(planted.status).toBe(401);
  });

  it('takes state-changing requests only from the https origin, not from the host it was reached on', async () => {
    const fromOwnHost = await post('/api/auth/magic-link', { email: 'x@example.test' }, { origin: stack.appUrl });
    expect(fromOwnHost.status).toBe(403);
    const plainHttp = await post(
      '/api/auth/magic-link',
      { email: 'x@example.test' },
      { origin: 'http://slotcast.example' },
    );
    expect(plainHttp.status).toBe(403);
  });
});
