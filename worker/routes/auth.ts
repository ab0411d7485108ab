import { Hono } from 'hono';
import { forgetSession } from '../auth/session-cache.ts';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { auditLog, teachers, users } from '../../db/schema.ts';
import { auditValues } from '../audit.ts';
import { clearSessionCookie, setSessionCookie } from '../auth/cookies.ts';
import { consumeLoginToken, explainUnusable, inspectLoginToken } from '../auth/magic-link.ts';
import { sendSignInLink } from '../auth/send-sign-in-link.ts';
import { invalidateSession, newSession } from '../auth/session.ts';
import { sha256Hex } from '../crypto/hash.ts';
import { newId } from '../crypto/random.ts';
import { getDb } from '../db.ts';
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
    validate('json', z.object({ email: emailSchema, timeZone: timeZoneSchema.optional() })),
    async (c) => {
      const { email } = c.req.valid('json');
      const ip = clientIp(c.req);
      // Keyed by hash so the limiter never holds addresses.
      await enforceRateLimit(c.env.RL_AUTH_IP, `ip:${ip}`, 'sign-in requests from this network');
      await enforceRateLimit(c.env.RL_AUTH_EMAIL, `email:${sha256Hex(email)}`, 'sign-in requests for this address');
      await sendSignInLink(c.env, getDb(c.env), { email, ip, userAgent: c.req.header('user-agent') }, c.get('now'));
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
      const db = getDb(c.env);
      const now = c.get('now');
      const consumed = await consumeLoginToken(db, token, now);
      if (!consumed.ok) {
        if (consumed.reason === 'invalid')
          throw new DomainError('token_invalid', 400, 'This sign-in link is not valid. Ask for a new one.');
        const what = consumed.reason === 'expired' ? 'has expired' : 'has already been used';
        throw new DomainError(
          `token_${consumed.reason}`,
          410,
          `This sign-in link ${what}. We can send a fresh one to the same address.`,
        );
      }
      const { email, purpose } = consumed.token;
      // A sign-up link creates the teacher account; a second click on another sign-up link for the same address
      // finds the account the first one made (the unique email decides).
      const userId = newId();
      await db.batch([
        db
          .insert(users)
          .values({
            id: userId,
            email,
            name: '',
            role: 'teacher',
            emailVerifiedAt: now,
            createdAt: now,
            updatedAt: now,
          })
          .onConflictDoNothing(),
        db.update(users).set({ emailVerifiedAt: now, updatedAt: now }).where(eq(users.email, email)),
      ]);
      const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
      if (!user || user.disabledAt)
        throw new DomainError('token_invalid', 400, 'This sign-in link is not valid. Ask for a new one.');
      const session = newSession(db, user.id, now);
      const audit = await auditValues(
        c.env,
        {
          actorType: user.role,
          actorId: user.id,
          action: 'auth.signed_in',
          targetType: 'user',
          targetId: user.id,
          ip: clientIp(c.req),
          userAgent: c.req.header('user-agent'),
          details: { purpose },
        },
        now,
      );
      if (user.id === userId && user.role === 'teacher') {
        const displayName = email.split('@')[0] ?? 'Teacher';
        await db.batch([
          db
            .insert(teachers)
            .values({ id: user.id, displayName, timeZone: timeZone ?? 'UTC', createdAt: now, updatedAt: now })
            .onConflictDoNothing(),
          session.insert,
          db.insert(auditLog).values(audit),
        ]);
      } else {
        await db.batch([session.insert, db.insert(auditLog).values(audit)]);
      }
      setSessionCookie(c, session.token, session.expiresAt);
      return c.json({ user: { id: user.id, email: user.email, name: user.name, role: user.role } });
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
    const { session } = c.get('auth');
    if (session) {
      forgetSession(session.id);
      await invalidateSession(getDb(c.env), session.id);
    }
    clearSessionCookie(c);
    return c.body(null, 204);
  })

  .get('/me', (c) => {
    const { user, teacher } = c.get('auth');
    if (!user) throw new DomainError('unauthenticated', 401, 'Please sign in.');
    return c.json({ user, teacher: teacher ? teacherProfile(teacher) : null });
  });
