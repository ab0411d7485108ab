import { eq } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { emailOutbox, teachers, users } from '../../db/schema.ts';
import { auditStatement } from '../audit.ts';
import type { Db } from '../db.ts';
import { enqueueOutbox, outboxValues } from '../email/outbox.ts';
import { config, type Env } from '../env.ts';
import { LOGIN_LINK_TTL_MS, newLoginToken, signInUrl } from './magic-link.ts';

/**
 * Issues a sign-in link for an address: a login link for a known account, a sign-up link otherwise, or when
 * the person asked to teach and their account has no teacher profile yet (a student whose account a booking
 * made becomes a teacher this way). All take the same path (one batch, one queue message), so the caller's
 * answer can't reveal which it was.
 */
export async function sendSignInLink(
  env: Env,
  db: Db,
  input: { email: string; ip: string; userAgent?: string; teach?: boolean },
  now: number,
): Promise<void> {
  const [user] = await db
    .select({ id: users.id, disabledAt: users.disabledAt, teacherId: teachers.id })
    .from(users)
    .leftJoin(teachers, eq(teachers.id, users.id))
    .where(eq(users.email, input.email))
    .limit(1);
  if (user?.disabledAt) return;
  const purpose = !user || (input.teach && !user.teacherId) ? 'signup' : 'login';
  const { token, insert } = newLoginToken(
    db,
    { email: input.email, userId: user?.id ?? null, purpose, ttlMs: LOGIN_LINK_TTL_MS },
    now,
  );
  const outbox = await outboxValues(
    env,
    {
      recipient: input.email,
      template: 'sign-in',
      payload: {
        link: signInUrl(config(env).APP_URL, token),
        expiresInMinutes: LOGIN_LINK_TTL_MS / 60_000,
        kind: purpose,
      },
    },
    now,
  );
  const audit = auditStatement(
    db,
    env,
    {
      actorType: 'anonymous',
      action: 'auth.link_requested',
      targetType: 'user',
      targetId: user?.id ?? null,
      teacherId: user?.teacherId ?? null,
      ip: input.ip,
      userAgent: input.userAgent,
      details: { purpose },
    },
    now,
  );
  const statements: [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]] = [
    insert,
    db.insert(emailOutbox).values(outbox),
    audit,
  ];
  await db.batch(statements);
  await enqueueOutbox(env, [outbox.id], now);
}
