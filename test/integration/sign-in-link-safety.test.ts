/**
 * What the sign-in confirmation page may learn about a link before it is used, and the CSRF check's one rule:
 * the Origin must be exactly the app's.
 */
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as schema from '../../db/schema.ts';
import { testClient } from '../support/client.ts';
import { db } from '../support/database.ts';
import { tokenFromEmail, waitForEmail } from '../support/mailbox.ts';
import { givenTeacher } from '../support/scenario.ts';
import { appUrl, uniqueEmail, uniqueIp } from '../support/stack.ts';
import { inFreshRateWindow, timeoutWithRateWindowWaits } from '../support/time.ts';

const fromNewAddress = () => testClient({ ip: uniqueIp() });

async function linkFor(email: string): Promise<string> {
  expect((await fromNewAddress().post('/api/auth/magic-link', { email })).status).toBe(202);
  return tokenFromEmail(await waitForEmail(email));
}

describe('the sign-in confirmation page', () => {
  it('names the address a link signs in, without using the link', async () => {
    const teacher = await givenTeacher();
    const token = await linkFor(teacher.email);

    const inspected = await fromNewAddress().post('/api/auth/magic-link/inspect', { token });
    expect(inspected.status).toBe(200);
    expect(inspected.body).toEqual({ email: teacher.email, purpose: 'login' });

    const verified = await fromNewAddress().post('/api/auth/magic-link/verify', { token });
    expect(verified.status).toBe(200);
    expect(verified.body.user.id).toBe(teacher.id);
  });

  it('says a new address gets an account', async () => {
    const email = uniqueEmail('signup-inspect');
    const token = await linkFor(email);
    const inspected = await fromNewAddress().post('/api/auth/magic-link/inspect', { token });
    expect(inspected.body).toEqual({ email, purpose: 'signup' });
    const [user] = await db().select().from(schema.users).where(eq(schema.users.email, email));
    expect(user).toBeUndefined();
  });

  it('never names the address of a used or expired link', async () => {
    const teacher = await givenTeacher();
    const used = await linkFor(teacher.email);
    await fromNewAddress().post('/api/auth/magic-link/verify', { token: used });
    const afterUse = await fromNewAddress().post('/api/auth/magic-link/inspect', { token: used });
    expect(afterUse.status).toBe(410);
    expect(afterUse.body.error.code).toBe('token_used');
    expect(JSON.stringify(afterUse.body)).not.toContain(teacher.email);

    const email = uniqueEmail('expired-inspect');
    const expired = await linkFor(email);
    await db().update(schema.loginTokens).set({ expiresAt: 1 }).where(eq(schema.loginTokens.email, email));
    const afterExpiry = await fromNewAddress().post('/api/auth/magic-link/inspect', { token: expired });
    expect(afterExpiry.status).toBe(410);
    expect(afterExpiry.body.error.code).toBe('token_expired');
    expect(JSON.stringify(afterExpiry.body)).not.toContain(email);

    const unknown = await fromNewAddress().post('/api/auth/magic-link/inspect', { token: 'a'.repeat(32) });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('token_invalid');
  });

  it(
    'limits token guesses per network before looking anything up, on inspect and on renew',
    async () => {
      for (const path of ['/api/auth/magic-link/inspect', '/api/auth/magic-link/renew']) {
        await inFreshRateWindow(15);
        const client = fromNewAddress();
        const statuses: number[] = [];
        // RL_AUTH_IP allows 30 a minute: the 31st guess within the window is refused without a lookup.
        for (let i = 0; i < 40; i++) {
          const guess = (i.toString(32) + 'a'.repeat(32)).slice(0, 32).replace(/[^a-z2-7]/g, 'b');
          statuses.push((await client.post(path, { token: guess })).status);
        }
        expect(statuses.filter((s) => s === 400).length).toBeLessThanOrEqual(30);
        expect(statuses.at(-1)).toBe(429);
      }
    },
    timeoutWithRateWindowWaits(15, 2),
  );
});

describe('the cross-site request check', () => {
  it("refuses a state-changing request whose Origin matches the Host it sent but not the app's URL", async () => {
    const teacher = await givenTeacher();
    const app = new URL(appUrl());
    // A request is free to name any Host; an Origin that merely agrees with it proves nothing.
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const body = JSON.stringify({ start: '2031-01-06T09:00' });
      const req = request(
        {
          host: app.hostname,
          port: app.port,
          method: 'POST',
          path: '/api/teacher/slots',
          headers: {
            host: `elsewhere.test:${app.port}`,
            origin: `http://elsewhere.test:${app.port}`,
            cookie: teacher.cookie,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body).error.code).toBe('bad_origin');
  });
});
