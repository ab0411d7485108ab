/**
 * Signing in with a magic link: consume the token, make the account a sign-up link promises, and open a
 * session, with the audit entries in the same batch. A link that can't be used is audited too.
 */
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { loginTokens, teachers, users } from '../../db/schema.ts';
import { auditStatement } from '../audit.ts';
import type { Db } from '../db.ts';
import type { Env } from '../env.ts';
import { DomainError } from '../errors.ts';
import { sha256Hex } from '../crypto/hash.ts';
import { newId } from '../crypto/random.ts';
import { becomeTeacher } from './account.ts';
import { explainUnusable } from './magic-link.ts';
import { newSession } from './session.ts';

const invalidLink = () => new DomainError('token_invalid', 400, 'This sign-in link is not valid. Ask for a new one.');

interface SignInRequest {
  token: string;
  timeZone?: string;
  ip: string;
  userAgent?: string;
}

/**
 * A failed sign-in, in the trail of the teacher whose link it was (an expired or used link names its address);
 * an unknown token is nobody's, and the entry never holds the token.
 */
async function auditFailedSignIn(
  env: Env,
  db: Db,
  input: SignInRequest,
  reason: string,
  email: string | null,
  now: number,
) {
  const [owner] = email
    ? await db
        .select({ userId: users.id, teacherId: teachers.id })
        .from(users)
        .leftJoin(teachers, eq(teachers.id, users.id))
        .where(eq(users.email, email))
        .limit(1)
    : [];
  await auditStatement(
    db,
    env,
    {
      actorType: 'anonymous',
      action: 'auth.sign_in_failed',
      targetType: owner ? 'user' : undefined,
      targetId: owner?.userId ?? null,
      teacherId: owner?.teacherId ?? null,
      ip: input.ip,
      userAgent: input.userAgent,
      details: { method: 'magic_link', reason },
    },
    now,
  );
}

/**
 * Consumes the link and finds or makes its address's account in one round trip (one write batch), where it was
 * two: the claim (one conditional update, so two clicks can't both win), then the account's statements, each
 * keyed through the token's row. The account is made and its address marked verified only by the batch whose
 * claim matched (`changes()` is the claim's row count where the insert runs): a losing click makes nothing,
 * so the winner alone says it made the account (its audit entry). A link that can't be used is explained as
 * before (`explainUnusable`), with one read more, only on that path.
 */
async function consumeWithAccount(db: Db, token: string, now: number) {
  const tokenHash = sha256Hex(token);
  const userId = newId();
  const claimedNow = db
    .select({ email: loginTokens.email })
    .from(loginTokens)
    .where(and(eq(loginTokens.tokenHash, tokenHash), eq(loginTokens.usedAt, now)));
  const [claimed, , , [user]] = await db.batch([
    db
      .update(loginTokens)
      .set({ usedAt: now })
      .where(and(eq(loginTokens.tokenHash, tokenHash), isNull(loginTokens.usedAt), gt(loginTokens.expiresAt, now)))
      .returning(),
    db.run(
      sql`INSERT INTO ${users} (id, email, name, role, email_verified_at, created_at, updated_at) SELECT ${userId}, ${loginTokens.email}, '', 'teacher', ${now}, ${now}, ${now} FROM ${loginTokens} WHERE ${loginTokens.tokenHash} = ${tokenHash} AND changes() = 1 ON CONFLICT DO NOTHING`,
    ),
    db.update(users).set({ emailVerifiedAt: now, updatedAt: now }).where(eq(users.email, claimedNow)),
    db
      .select()
      .from(users)
      .where(
        eq(
          users.email,
          db.select({ email: loginTokens.email }).from(loginTokens).where(eq(loginTokens.tokenHash, tokenHash)),
        ),
      )
      .limit(1),
  ]);
  const [row] = claimed;
  if (!row) return { consumed: await explainUnusable(db, token, now) };
  return { consumed: { ok: true as const, token: row }, user, created: user?.id === userId };
}

export async function signInWithLink(env: Env, db: Db, input: SignInRequest, now: number) {
  const { consumed, user, created } = await consumeWithAccount(db, input.token, now);
  if (!consumed.ok) {
    await auditFailedSignIn(env, db, input, consumed.reason, consumed.email, now);
    if (consumed.reason === 'invalid') throw invalidLink();
    const what = consumed.reason === 'expired' ? 'has expired' : 'has already been used';
    throw new DomainError(
      `token_${consumed.reason}`,
      410,
      `This sign-in link ${what}. We can send a fresh one to the same address.`,
    );
  }
  const { email, purpose } = consumed.token;
  // A sign-up link creates the teacher account; a second click on another sign-up link for the same address
  // finds the account the first one made.
  if (!user || user.disabledAt) {
    await auditFailedSignIn(env, db, input, 'disabled', email, now);
    throw invalidLink();
  }
  const session = newSession(db, user.id, now);
  const becomesTeacher = purpose === 'signup';
  const audit = (action: 'auth.signed_in' | 'account.created', details: Record<string, unknown>) =>
    auditStatement(
      db,
      env,
      {
        actorType: becomesTeacher ? 'teacher' : user.role,
        actorId: user.id,
        action,
        targetType: 'user',
        targetId: user.id,
        teacherId: becomesTeacher || user.role === 'teacher' ? user.id : null,
        ip: input.ip,
        userAgent: input.userAgent,
        details,
      },
      now,
    );
  const audits = [
    ...(created ? [audit('account.created', { via: 'sign_up_link' })] : []),
    audit('auth.signed_in', { method: 'magic_link', purpose }),
  ];
  if (becomesTeacher) {
    // A sign-up link promises a teacher profile, whether the account is new or one a booking made earlier.
    await db.batch([...becomeTeacher(db, user, input.timeZone ?? 'UTC', now), session.insert, ...audits]);
    user.role = 'teacher';
  } else {
    await db.batch([session.insert, ...audits]);
  }
  return {
    user: { id: user.id, email: user.email, name: user.name, role: user.role },
    session: { token: session.token, expiresAt: session.expiresAt },
  };
}
