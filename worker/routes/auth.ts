import { Hono } from 'hono';
import { z } from 'zod';
import { signInFirst } from '../auth/guard.ts';
import { clearSessionCookie, setSessionCookie } from '../auth/cookies.ts';
import { explainUnusable, inspectLoginToken } from '../auth/magic-link.ts';
import { sendSignInLink } from '../auth/send-sign-in-link.ts';
import { signOut } from '../auth/sign-out.ts';
import { signInWithLink } from '../auth/sign-in.ts';
import { sha256Hex } from '../crypto/hash.ts';
import { getDb } from '../db.ts';
import { endLiveCredential } from '../live/publish.ts';
import { DomainError } from '../errors.ts';
import { clientIp, enforceRateLimit } from '../http/rate-limit.ts';
import type { AppEnv } from '../http/types.ts';
import { emailSchema, validate } from '../http/validate.ts';
import { timeZoneSchema } from '../calendar/time-zone.ts';
import { teacherProfile } from '../teachers/profile.ts';

const tokenSchema = z.string().regex(/^[a-z2-7]{16,64}$/, 'This link is not valid.');

const SAME_ANSWER = { ok: true, message: 'If that address can sign in, a link is on its way.' };

export const authRoutes = new Hono<AppEnv>()
  .post(
    '/magic-link',
    validate(
      'json',
      z.object({
        email: emailSchema,
        timeZone: timeZoneSchema.optional(),
        /** "I want to teach": an existing account without a teacher profile gets a sign-up link, which adds one. */
        intent: z.enum(['sign_in', 'teach']).default('sign_in'),
      }),
    ),
    async (c) => {
      const { email, intent } = c.req.valid('json');
      const ip = clientIp(c.req);
      // Keyed by hash so the limiter never holds addresses.
      await enforceRateLimit(c.env.RL_AUTH_IP, `ip:${ip}`, 'sign-in requests from this network');
      await enforceRateLimit(c.env.RL_AUTH_EMAIL, `email:${sha256Hex(email)}`, 'sign-in requests for this address');
      await sendSignInLink(
        c.env,
        getDb(c.env),
        { email, ip, userAgent: c.req.header('user-agent'), teach: intent === 'teach' },
        c.get('now'),
      );
      return c.json(SAME_ANSWER, 202);
    },
  )

  .post(
    '/magic-link/verify',
    validate('json', z.object({ token: tokenSchema, timeZone: timeZoneSchema.optional() })),
    async (c) => {
      const { token, timeZone } = c.req.valid('json');
      // A used link can make an account (a sign-up link), so this path is limited too.
      await enforceRateLimit(c.env.RL_AUTH_IP, `verify:${clientIp(c.req)}`, 'sign-in attempts from this network');
      const { user, session } = await signInWithLink(
        c.env,
        getDb(c.env),
        { token, timeZone, ip: clientIp(c.req), userAgent: c.req.header('user-agent') },
        c.get('now'),
      );
      setSessionCookie(c, session.token, session.expiresAt);
      return c.json({ user });
    },
  )

  .post('/magic-link/inspect', validate('json', z.object({ token: tokenSchema })), async (c) => {
    // Limited before the lookup, like every path that takes a token, so it can't be used to test guesses fast.
    await enforceRateLimit(c.env.RL_AUTH_IP, `inspect:${clientIp(c.req)}`, 'sign-in attempts from this network');
    const link = await inspectLoginToken(getDb(c.env), c.req.valid('json').token, c.get('now'));
    if (link.state === 'invalid')
      throw new DomainError('token_invalid', 400, 'This sign-in link is not valid. Ask for a new one.');
    if (link.state !== 'valid') {
      const what = link.state === 'expired' ? 'has expired' : 'has already been used';
      throw new DomainError(
        `token_${link.state}`,
        410,
        `This sign-in link ${what}. We can send a fresh one to the same address.`,
      );
    }
    return c.json({ email: link.email, purpose: link.purpose });
  })

  .post('/magic-link/renew', validate('json', z.object({ token: tokenSchema })), async (c) => {
    const ip = clientIp(c.req);
    // Before the lookup: a token guess costs a place in the same budget as a sign-in request.
    await enforceRateLimit(c.env.RL_AUTH_IP, `ip:${ip}`, 'sign-in requests from this network');
    const db = getDb(c.env);
    const unusable = await explainUnusable(db, c.req.valid('json').token, c.get('now'));
    if (!unusable.email)
      throw new DomainError('token_invalid', 400, 'This sign-in link is not valid. Ask for a new one.');
    await enforceRateLimit(
      c.env.RL_AUTH_EMAIL,
      `email:${sha256Hex(unusable.email)}`,
      'sign-in requests for this address',
    );
    await sendSignInLink(c.env, db, { email: unusable.email, ip, userAgent: c.req.header('user-agent') }, c.get('now'));
    return c.json({ ok: true, message: 'A fresh link is on its way to the same address.' }, 202);
  })

  .post('/sign-out', async (c) => {
    const { session, teacher } = c.get('auth');
    if (session) {
      await signOut(getDb(c.env), session.id);
      // The session's live sockets close now, not at the next heartbeat. Only a teacher's session opens any
      // (on their own calendar); a student watches through share links, which don't end with a sign-out.
      if (teacher) await endLiveCredential(c.env, teacher.id, { kind: 'session', id: session.id }, 'session_ended');
    }
    clearSessionCookie(c);
    return c.body(null, 204);
  })

  .get('/me', (c) => {
    const { user, teacher, studentArea } = c.get('auth');
    if (!user) throw signInFirst();
    return c.json({
      user,
      teacher: teacher ? teacherProfile(teacher) : null,
      /** The areas this person may open; `user.role` only says which one sign-in lands in. */
      areas: { teacher: teacher !== null, student: studentArea },
    });
  });
