/**
 * Signing in with a magic link: consume the token, make the account a sign-up link promises, and open a
 * session, with the audit entry in the same batch.
 */
import { auditLog } from '../../db/schema.ts';
import { auditValues } from '../audit.ts';
import type { Db } from '../db.ts';
import type { Env } from '../env.ts';
import { DomainError } from '../errors.ts';
import { accountForVerifiedEmail, becomeTeacher } from './account.ts';
import { consumeLoginToken } from './magic-link.ts';
import { newSession } from './session.ts';

const invalidLink = () => new DomainError('token_invalid', 400, 'This sign-in link is not valid. Ask for a new one.');

export async function signInWithLink(
  env: Env,
  db: Db,
  input: { token: string; timeZone?: string; ip: string; userAgent?: string },
  now: number,
) {
  const consumed = await consumeLoginToken(db, input.token, now);
  if (!consumed.ok) {
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
  const { user } = await accountForVerifiedEmail(db, email, now);
  if (!user || user.disabledAt) throw invalidLink();
  const session = newSession(db, user.id, now);
  const audit = await auditValues(
    env,
    {
      actorType: user.role,
      actorId: user.id,
      action: 'auth.signed_in',
      targetType: 'user',
      targetId: user.id,
      ip: input.ip,
      userAgent: input.userAgent,
      details: { purpose },
    },
    now,
  );
  if (purpose === 'signup') {
    // A sign-up link promises a teacher profile, whether the account is new or one a booking made earlier.
    await db.batch([
      ...becomeTeacher(db, user, input.timeZone ?? 'UTC', now),
      session.insert,
      db.insert(auditLog).values(audit),
    ]);
    user.role = 'teacher';
  } else {
    await db.batch([session.insert, db.insert(auditLog).values(audit)]);
  }
  return {
    user: { id: user.id, email: user.email, name: user.name, role: user.role },
    session: { token: session.token, expiresAt: session.expiresAt },
  };
}
