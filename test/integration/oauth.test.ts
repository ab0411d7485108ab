import { and, eq, gte } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import * as schema from '../../db/schema.ts';
import { db, givenBookedStudentUser, uniqueEmail } from './oauth-given.ts';
import { arriveAtSlotcast, breakSchool, person, signInAtSchool, signInWithSchool, start } from './school.ts';

const usersWith = (email: string) => db().select().from(schema.users).where(eq(schema.users.email, email));
const sessionsOf = (userId: string) =>
  db().select().from(schema.authSessions).where(eq(schema.authSessions.userId, userId));
const linksOf = (userId: string) =>
  db().select().from(schema.oauthAccounts).where(eq(schema.oauthAccounts.userId, userId));
const failuresSince = (at: number) =>
  db()
    .select()
    .from(schema.auditLog)
    .where(and(eq(schema.auditLog.action, 'auth.oauth_failed'), gte(schema.auditLog.at, at)));

/** Signs in through the school, fails in the given way, and checks nothing was made and the failure is audited. */
async function expectRefused(
  email: string,
  attempt: () => Promise<string>,
  error: string,
  reason: string,
): Promise<void> {
  const before = Date.now();
  const landedOn = await attempt();
  expect(landedOn).toBe(`/login?error=oauth_${error}`);
  expect(await usersWith(email)).toEqual([]);
  const failures = await failuresSince(before);
  expect(failures.map((f) => f.details)).toContainEqual(expect.objectContaining({ provider: 'school', reason }));
  for (const failure of failures) expect(JSON.stringify(failure)).not.toMatch(/code=|state=|eyJ/);
}

afterEach(async () => {
  await breakSchool({ down: false });
});

describe('signing in with the school’s identity provider', () => {
  it('lists the configured providers, and only those', async () => {
    const { body } = await person().app.get('/api/auth/providers');
    expect(body.providers).toEqual([{ id: 'school', label: 'Demo School' }]);
  });

  it('sends the browser to the school with PKCE, state, nonce and a short-lived HttpOnly cookie', async () => {
    const who = person();
    const started = await who.app.get('/api/auth/oauth/school/start');
    const url = new URL(started.headers.get('location')!);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('redirect_uri')).toBe(`${who.app.baseUrl}/api/auth/oauth/school/callback`);
    const cookie = started.headers.getSetCookie().find((c) => c.startsWith('slotcast_oauth='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Max-Age=600/);
    expect(cookie).toMatch(/Path=\/api\/auth\/oauth/);
    expect(cookie).not.toContain(url.searchParams.get('state')!);
  });

  it('links an existing account by its verified email and signs in as it, audited like a magic link', async () => {
    const email = uniqueEmail('linked');
    const who = person();
    await who.app.post('/api/auth/magic-link', { email });
    const existing = await db()
      .insert(schema.users)
      .values({
        id: crypto.randomUUID(),
        email,
        name: 'Existing',
        role: 'teacher',
        createdAt: Date.now(),
        updatedAt: Date.now(),
      })
      .returning();
    const user = existing[0]!;
    await db().insert(schema.teachers).values({
      id: user.id,
      displayName: 'Existing',
      timeZone: 'UTC',
      createdAt: Date.now(),
      updatedAt: Date.now(),
    });
    expect(await signInWithSchool(who, { email: email.toUpperCase() })).toBe('/teacher');
    const me = await who.app.get('/api/auth/me');
    expect(me.body.user).toMatchObject({ id: user.id, email, role: 'teacher' });
    expect(await linksOf(user.id)).toEqual([expect.objectContaining({ provider: 'school', providerUserId: email })]);
    const audits = await db().select().from(schema.auditLog).where(eq(schema.auditLog.actorId, user.id));
    expect(audits.map((a) => a.action)).toEqual(expect.arrayContaining(['auth.signed_in', 'auth.oauth_linked']));
    expect(audits.find((a) => a.action === 'auth.signed_in')!.details).toEqual({
      method: 'oauth',
      purpose: 'oauth',
      provider: 'school',
    });

    // Signs out, and in again: the same account, through the link, no second one.
    expect((await who.app.post('/api/auth/sign-out')).status).toBe(204);
    expect((await who.app.get('/api/auth/me')).status).toBe(401);
    expect(await signInWithSchool(who, { email })).toBe('/teacher');
    expect((await who.app.get('/api/auth/me')).body.user.id).toBe(user.id);
    expect(await usersWith(email)).toHaveLength(1);
    expect(await linksOf(user.id)).toHaveLength(1);
  });

  it('makes a teacher account for an unknown address, in the browser’s time zone', async () => {
    const email = uniqueEmail('newcomer');
    const who = person();
    expect(await signInWithSchool(who, { email })).toBe('/teacher');
    const [user] = await usersWith(email);
    expect(user).toMatchObject({ role: 'teacher' });
    expect(user!.emailVerifiedAt).not.toBeNull();
    const [teacher] = await db().select().from(schema.teachers).where(eq(schema.teachers.id, user!.id));
    expect(teacher).toMatchObject({ timeZone: 'Europe/Berlin' });
    expect((await who.app.get('/api/teacher/settings')).status).toBe(200);
  });

  it('lands a student (an account from a booking) on the student dashboard', async () => {
    const student = await givenBookedStudentUser();
    const who = person();
    expect(await signInWithSchool(who, { email: student.email })).toBe('/student');
    expect((await who.app.get('/api/auth/me')).body.user).toMatchObject({ id: student.id, role: 'student' });
    expect((await who.app.get('/api/teacher/settings')).status).toBe(403);
  });

  it('lists linked providers in the account and unlinks one, keeping sign-in by email', async () => {
    const email = uniqueEmail('unlink');
    const who = person();
    await signInWithSchool(who, { email });
    const listed = await who.app.get('/api/auth/oauth/accounts');
    expect(listed.body).toMatchObject({
      email,
      linked: [{ provider: 'school', label: 'Demo School' }],
      available: [{ id: 'school', label: 'Demo School' }],
    });
    const crossSite = await who.app.post('/api/auth/oauth/accounts/school/unlink', {}, { origin: 'https://evil.test' });
    expect(crossSite.status).toBe(403);
    const unlinked = await who.app.post('/api/auth/oauth/accounts/school/unlink');
    expect(unlinked.status).toBe(200);
    expect(unlinked.body.message).toMatch(/link sent to your email/);
    expect((await who.app.get('/api/auth/oauth/accounts')).body.linked).toEqual([]);
    expect((await who.app.post('/api/auth/oauth/accounts/school/unlink')).status).toBe(404);
    expect((await who.app.post('/api/auth/oauth/accounts/nowhere/unlink')).status).toBe(400);
    // The user can still sign in: by email, and through the school again (linked anew by email).
    expect((await who.app.post('/api/auth/magic-link', { email })).status).toBe(202);
    expect(await signInWithSchool(person(), { email })).toBe('/teacher');
  });

  it('answers 401 to the account endpoints without a session', async () => {
    const who = person();
    expect((await who.app.get('/api/auth/oauth/accounts')).status).toBe(401);
    expect((await who.app.post('/api/auth/oauth/accounts/school/unlink')).status).toBe(401);
  });
});

describe('a sign-in through the school that must fail', () => {
  it('refuses a tampered state', async () => {
    const email = uniqueEmail('tampered');
    const who = person();
    await expectRefused(
      email,
      async () => {
        const callback = await signInAtSchool(who, await start(who), { email });
        // Another first character, always: a state that began with the replacement was left untampered (and signed in).
        const state = callback.searchParams.get('state')!;
        callback.searchParams.set('state', (state[0] === 'x' ? 'y' : 'x') + state.slice(1));
        return arriveAtSlotcast(who, callback);
      },
      'state',
      'state',
    );
  });

  it('refuses a callback without the cookie (another browser, or the cookie expired)', async () => {
    const email = uniqueEmail('nocookie');
    const who = person();
    await expectRefused(
      email,
      async () => {
        const callback = await signInAtSchool(who, await start(who), { email });
        who.app.setCookie('slotcast_oauth', null);
        return arriveAtSlotcast(who, callback);
      },
      'state',
      'state',
    );
  });

  it('refuses a replayed code, even with the cookie kept', async () => {
    const email = uniqueEmail('replay');
    const who = person();
    const callback = await signInAtSchool(who, await start(who), { email });
    const flowCookie = who.app.cookie('slotcast_oauth')!;
    expect(await arriveAtSlotcast(who, callback)).toBe('/teacher');
    const [user] = await usersWith(email);
    const thief = person();
    thief.app.setCookie('slotcast_oauth', flowCookie);
    const before = Date.now();
    expect(await arriveAtSlotcast(thief, callback)).toBe('/login?error=oauth_code_rejected');
    expect(thief.app.cookie('slotcast_session')).toBeUndefined();
    expect(await sessionsOf(user!.id)).toHaveLength(1);
    expect((await failuresSince(before)).map((f) => f.details)).toContainEqual(
      expect.objectContaining({ reason: 'code_rejected', detail: 'invalid_grant' }),
    );
  });

  it('refuses an expired code', async () => {
    const email = uniqueEmail('slow');
    const who = person();
    await breakSchool({ sub: email, fault: 'short-lived-code' });
    await expectRefused(
      email,
      async () => {
        const callback = await signInAtSchool(who, await start(who), { email });
        // The school gave this code one second; wait until that second is surely over.
        const issuedBy = Math.ceil(Date.now() / 1000) * 1000;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, issuedBy + 1100 - Date.now())));
        return arriveAtSlotcast(who, callback);
      },
      'code_rejected',
      'code_rejected',
    );
  });

  for (const [fault, detail] of [
    ['bad-signature', 'signature'],
    ['wrong-audience', 'claim aud'],
    ['wrong-nonce', 'claim nonce'],
    ['expired-id-token', 'claim exp'],
  ] as const) {
    it(`refuses an ID token with ${fault.replace(/-/g, ' ')}`, async () => {
      const email = uniqueEmail(fault);
      const who = person();
      await breakSchool({ sub: email, fault });
      await expectRefused(
        email,
        async () => arriveAtSlotcast(who, await signInAtSchool(who, await start(who), { email })),
        'token_invalid',
        'token_invalid',
      );
      const [failure] = (await failuresSince(0)).filter((f) => JSON.stringify(f.details).includes(detail));
      expect(failure, `a failure with detail ${detail}`).toBeDefined();
    });
  }

  it('refuses an address the school has not verified', async () => {
    const email = uniqueEmail('unverified');
    const who = person();
    await expectRefused(
      email,
      () => signInWithSchool(who, { email, verified: false }),
      'email_unverified',
      'email_unverified',
    );
  });

  it('does not sign in to an existing account through an unverified address', async () => {
    const student = await givenBookedStudentUser();
    const who = person();
    expect(await signInWithSchool(who, { email: student.email, verified: false })).toBe(
      '/login?error=oauth_email_unverified',
    );
    expect(await sessionsOf(student.id)).toEqual([]);
    expect(await linksOf(student.id)).toEqual([]);
  });

  it('tells the person when the school goes down while they sign in', async () => {
    const email = uniqueEmail('down');
    const who = person();
    await expectRefused(
      email,
      async () => {
        const callback = await signInAtSchool(who, await start(who), { email });
        await breakSchool({ down: true });
        return arriveAtSlotcast(who, callback);
      },
      'unavailable',
      'unavailable',
    );
  });

  it('refuses an unknown provider with a clear page', async () => {
    const who = person();
    const started = await who.app.get('/api/auth/oauth/myspace/start');
    expect(started.status).toBe(303);
    expect(started.headers.get('location')).toBe('/login?error=oauth_unknown_provider');
  });

  it('sends the person back with a clear page when they cancel at the school', async () => {
    const who = person();
    const url = await start(who);
    const denied = new URL('/api/auth/oauth/school/callback', who.app.baseUrl);
    denied.searchParams.set('error', 'access_denied');
    denied.searchParams.set('state', url.searchParams.get('state')!);
    denied.searchParams.set('iss', url.origin);
    expect(await arriveAtSlotcast(who, denied)).toBe('/login?error=oauth_denied');
  });
});
