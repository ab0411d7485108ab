/**
 * Who a provider's user is in Slotcast. A provider account already linked signs in as its user. Otherwise the
 * provider's verified email decides: the account with that email is linked, or, for an unknown address, a
 * teacher account is made the way a sign-up link makes one. Either way the session is the one a magic link
 * makes, audited the same way (`auth.signed_in`).
 */
import { and, eq } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { oauthAccounts, users, type User } from '../../../db/schema.ts';
import { auditStatement } from '../../audit.ts';
import type { Db } from '../../db.ts';
import type { Env } from '../../env.ts';
import { accountForVerifiedEmail, becomeTeacher } from '../account.ts';
import { newSession } from '../session.ts';
import { SignInFailure, type Identity } from './flow.ts';
import type { ProviderId } from './providers.ts';

export interface RequestMeta {
  ip: string;
  userAgent?: string;
  timeZone: string | null;
}

async function linkedUser(db: Db, provider: ProviderId, subject: string): Promise<User | null> {
  const [row] = await db
    .select({ user: users })
    .from(oauthAccounts)
    .innerJoin(users, eq(users.id, oauthAccounts.userId))
    .where(and(eq(oauthAccounts.provider, provider), eq(oauthAccounts.providerUserId, subject)))
    .limit(1);
  return row?.user ?? null;
}

export async function signInWithIdentity(
  env: Env,
  db: Db,
  provider: ProviderId,
  identity: Identity,
  meta: RequestMeta,
  now: number,
) {
  if (!identity.email) throw new SignInFailure('no_email');
  if (!identity.emailVerified) throw new SignInFailure('email_unverified');
  const email = identity.email.trim().toLowerCase();

  const linked = await linkedUser(db, provider, identity.subject);
  const link = !linked;
  const { user, created } = linked ? { user: linked, created: false } : await accountForVerifiedEmail(db, email, now);
  if (!user || user.disabledAt) throw new SignInFailure('disabled');

  const session = newSession(db, user.id, now);
  // A new account is a teacher's (as a sign-up link makes one): the entries are in that teacher's trail.
  const teacherId = created || user.role === 'teacher' ? user.id : null;
  const audit = (
    action: 'auth.signed_in' | 'auth.oauth_linked' | 'account.created',
    details: Record<string, unknown>,
  ) =>
    auditStatement(
      db,
      env,
      {
        actorType: created ? 'teacher' : user.role,
        actorId: user.id,
        action,
        targetType: 'user',
        targetId: user.id,
        teacherId,
        ip: meta.ip,
        userAgent: meta.userAgent,
        details,
      },
      now,
    );
  const statements: [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]] = [
    session.insert,
    audit('auth.signed_in', { method: 'oauth', purpose: created ? 'signup' : 'oauth', provider }),
  ];
  if (created) statements.push(audit('account.created', { via: 'oauth', provider }));
  if (created) statements.push(...becomeTeacher(db, user, meta.timeZone ?? 'UTC', now));
  if (link) {
    statements.push(
      db
        .insert(oauthAccounts)
        .values({ provider, providerUserId: identity.subject, userId: user.id, createdAt: now })
        .onConflictDoNothing(),
      audit('auth.oauth_linked', { provider }),
    );
  }
  if (!user.emailVerifiedAt && user.email === email)
    statements.push(db.update(users).set({ emailVerifiedAt: now, updatedAt: now }).where(eq(users.id, user.id)));
  await db.batch(statements);
  return { user, session, linked: link, created };
}

/** The user's linked providers, oldest first. */
export async function linkedProviders(db: Db, userId: string) {
  return db
    .select({ provider: oauthAccounts.provider, linkedAt: oauthAccounts.createdAt })
    .from(oauthAccounts)
    .where(eq(oauthAccounts.userId, userId))
    .orderBy(oauthAccounts.createdAt);
}

/**
 * Unlinks a provider. A user can always still sign in with a link sent to their email (every account has one),
 * so unlinking never locks anyone out; that is the rule DESIGN.md states.
 */
export async function unlinkProvider(
  env: Env,
  db: Db,
  user: { id: string; email: string; role: User['role'] },
  provider: ProviderId,
  meta: { ip: string; userAgent?: string },
  now: number,
): Promise<boolean> {
  if (!user.email) return false;
  const linked = await linkedProviders(db, user.id);
  if (!linked.some((l) => l.provider === provider)) return false;
  await db.batch([
    db.delete(oauthAccounts).where(and(eq(oauthAccounts.userId, user.id), eq(oauthAccounts.provider, provider))),
    auditStatement(
      db,
      env,
      {
        actorType: user.role,
        actorId: user.id,
        action: 'auth.oauth_unlinked',
        targetType: 'user',
        targetId: user.id,
        teacherId: user.role === 'teacher' ? user.id : null,
        ip: meta.ip,
        userAgent: meta.userAgent,
        details: { provider },
      },
      now,
    ),
  ]);
  return true;
}
