import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as schema from '../../db/schema.ts';
import { testClient } from '../support/client.ts';
import { db } from '../support/database.ts';
import { tokenFromEmail, waitForDistinctEmails, waitForEmail } from '../support/mailbox.ts';
import { settledOutboxTo } from '../support/outbox.ts';
import { givenTeacher } from '../support/scenario.ts';
import { uniqueEmail, uniqueIp } from '../support/stack.ts';
import { inFreshRateWindow, timeoutWithRateWindowWaits } from '../support/time.ts';

async function requestLink(email: string, ip = uniqueIp(), extra: Record<string, unknown> = {}) {
  return testClient({ ip: ip }).post('/api/auth/magic-link', { email, ...extra });
}

function sessionCookieFrom(headers: Headers): string {
  const setCookie = headers.get('set-cookie') ?? '';
  const match = /slotcast_session=([^;]+)/.exec(setCookie);
  if (!match) throw new Error(`no session cookie in ${setCookie}`);
  return `slotcast_session=${match[1]}`;
}

describe('signing in with an emailed link', () => {
  it('creates a teacher account for a new address, in the time zone the browser reported', async () => {
    const email = uniqueEmail('new-teacher');
    const asked = await requestLink(email, uniqueIp(), { timeZone: 'America/New_York' });
    expect(asked.status).toBe(202);
    const message = await waitForEmail(email);
    expect(message.subject).toBe('Create your Slotcast account');
    const token = tokenFromEmail(message);

    const verified = await testClient().post('/api/auth/magic-link/verify', { token, timeZone: 'America/New_York' });
    expect(verified.status).toBe(200);
    expect(verified.body.user).toMatchObject({ email, role: 'teacher' });
    const setCookie = verified.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Path=\//);

    const me = await testClient({ cookie: sessionCookieFrom(verified.headers) }).get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.teacher).toMatchObject({ timeZone: 'America/New_York' });
  });

  it('sends a sign-in link to an existing teacher and signs them into the same account', async () => {
    const teacher = await givenTeacher();
    await requestLink(teacher.email);
    const token = tokenFromEmail(await waitForEmail(teacher.email, { subjectIncludes: 'sign-in link' }));
    const verified = await testClient().post('/api/auth/magic-link/verify', { token });
    expect(verified.status).toBe(200);
    expect(verified.body.user.id).toBe(teacher.id);
  });

  it('answers the same whether or not the address has an account', async () => {
    const teacher = await givenTeacher();
    const known = await requestLink(teacher.email);
    const unknown = await requestLink(uniqueEmail('stranger'));
    expect(known.status).toBe(unknown.status);
    expect(known.body).toEqual(unknown.body);
  });

  it('stores only a hash of the link token', async () => {
    const email = uniqueEmail('hash');
    await requestLink(email);
    const token = tokenFromEmail(await waitForEmail(email));
    const rows = await db().select().from(schema.loginTokens).where(eq(schema.loginTokens.email, email));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).not.toContain(token);
    expect(JSON.stringify(rows)).not.toContain(token);
    // The row is marked sent only after the SMTP server has the message: wait for that write.
    const outbox = await settledOutboxTo(email);
    expect(JSON.stringify(outbox)).not.toContain(token);
    expect(outbox[0]).toMatchObject({ status: 'sent', attempts: 1 });
    expect(outbox[0]!.providerMessageId).toMatch(/^<.+@.+>$/);
  });

  it('refuses a link that was already used', async () => {
    const email = uniqueEmail('reuse');
    await requestLink(email);
    const token = tokenFromEmail(await waitForEmail(email));
    expect((await testClient().post('/api/auth/magic-link/verify', { token })).status).toBe(200);
    const again = await testClient().post('/api/auth/magic-link/verify', { token });
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('token_used');
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  it('lets exactly one of three simultaneous clicks on the same link sign in', async () => {
    const email = uniqueEmail('race');
    await requestLink(email);
    const token = tokenFromEmail(await waitForEmail(email));
    const results = await Promise.all([1, 2, 3].map(() => testClient().post('/api/auth/magic-link/verify', { token })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 410, 410]);
    // The new address got one account, and the one click that won says it made it: one entry, not three.
    const accounts = await db().select().from(schema.users).where(eq(schema.users.email, email));
    expect(accounts).toHaveLength(1);
    const made = await db()
      .select({ action: schema.auditLog.action })
      .from(schema.auditLog)
      .where(eq(schema.auditLog.targetId, accounts[0]!.id));
    expect(
      made
        .filter((e) => e.action !== 'auth.sign_in_failed')
        .map((e) => e.action)
        .sort(),
    ).toEqual(['account.created', 'auth.signed_in']);
  });

  it('refuses an expired link and can send a fresh one to the same address', async () => {
    const email = uniqueEmail('expired');
    await requestLink(email);
    const token = tokenFromEmail(await waitForEmail(email));
    await db()
      .update(schema.loginTokens)
      .set({ expiresAt: Date.now() - 1000 })
      .where(eq(schema.loginTokens.email, email));
    const expired = await testClient().post('/api/auth/magic-link/verify', { token });
    expect(expired.status).toBe(410);
    expect(expired.body.error.code).toBe('token_expired');

    const renewed = await testClient({ ip: uniqueIp() }).post('/api/auth/magic-link/renew', {
      token,
    });
    expect(renewed.status).toBe(202);
    expect(JSON.stringify(renewed.body)).not.toContain(email);
    const [newest] = await waitForDistinctEmails(email, 2);
    const fresh = tokenFromEmail(newest!);
    expect(fresh).not.toBe(token);
    expect((await testClient().post('/api/auth/magic-link/verify', { token: fresh })).status).toBe(200);
  });

  it('refuses a tampered or made-up link without saying more', async () => {
    const email = uniqueEmail('tamper');
    await requestLink(email);
    const token = tokenFromEmail(await waitForEmail(email));
    const tampered = token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a');
    for (const attempt of [tampered, 'a'.repeat(32)]) {
      const result = await testClient().post('/api/auth/magic-link/verify', { token: attempt });
      expect(result.status).toBe(400);
      expect(result.body.error.code).toBe('token_invalid');
    }
    const malformed = await testClient().post('/api/auth/magic-link/verify', { token: '../../etc/passwd' });
    expect(malformed.status).toBe(400);
    // The genuine link still works: failed guesses don't burn it.
    expect((await testClient().post('/api/auth/magic-link/verify', { token })).status).toBe(200);
  });

  it(
    'limits sign-in attempts per network, since a used link can make an account',
    async () => {
      await inFreshRateWindow();
      const guesser = testClient({ ip: uniqueIp() });
      const statuses: number[] = [];
      for (let i = 0; i < 40 && !statuses.includes(429); i++)
        statuses.push((await guesser.post('/api/auth/magic-link/verify', { token: 'a'.repeat(32) })).status);
      expect(statuses.length).toBe(31);
      expect(statuses.at(-1)).toBe(429);
    },
    timeoutWithRateWindowWaits(),
  );

  it('rejects a bad email address with a clear message', async () => {
    const result = await requestLink('not-an-email');
    expect(result.status).toBe(400);
    expect(result.body.error.message).toMatch(/valid email/i);
  });

  it(
    'rate-limits link requests per address',
    async () => {
      await inFreshRateWindow();
      const email = uniqueEmail('limit');
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await requestLink(email)).status);
      expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
      const refused = await requestLink(email);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    },
    timeoutWithRateWindowWaits(),
  );

  it(
    'rate-limits link requests per client address',
    async () => {
      await inFreshRateWindow();
      const ip = uniqueIp();
      const statuses: number[] = [];
      for (let i = 0; i < 31; i++) statuses.push((await requestLink(uniqueEmail('ip'), ip)).status);
      expect(statuses.filter((s) => s === 202)).toHaveLength(30);
      expect(statuses.at(-1)).toBe(429);
    },
    timeoutWithRateWindowWaits(),
  );
});

describe('sessions', () => {
  it('ends the session on the server when signing out, so a copied cookie stops working', async () => {
    const teacher = await givenTeacher();
    expect((await teacher.api.get('/api/auth/me')).status).toBe(200);
    const out = await teacher.api.post('/api/auth/sign-out');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/slotcast_session=;/);
    expect((await teacher.api.get('/api/auth/me')).status).toBe(401);
  });

  it('refuses a forged session cookie', async () => {
    const teacher = await givenTeacher();
    const [id] = teacher.cookie.split('=')[1]!.split('.');
    expect((await testClient({ cookie: `slotcast_session=${id}.forgedsecret` }).get('/api/auth/me')).status).toBe(401);
  });

  it('expires a session after its inactivity timeout', async () => {
    const teacher = await givenTeacher();
    const id = teacher.cookie.split('=')[1]!.split('.')[0]!;
    await db()
      .update(schema.authSessions)
      .set({ lastVerifiedAt: Date.now() - 11 * 24 * 3600_000 })
      .where(eq(schema.authSessions.id, id));
    expect((await teacher.api.get('/api/auth/me')).status).toBe(401);
  });

  it('refuses state-changing requests without our Origin', async () => {
    const teacher = await givenTeacher();
    const foreign = await teacher.api.post('/api/auth/sign-out', {}, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    // The same tab, but a request without any Origin (as a cross-site form post from an old browser).
    const response = await testClient({ cookie: teacher.cookie, origin: null }).post('/api/auth/sign-out');
    expect(response.status).toBe(403);
    expect((await teacher.api.get('/api/auth/me')).status).toBe(200);
  });
});
