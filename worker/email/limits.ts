/**
 * Daily limits on the emails a teacher's click sends, so no account can be used to flood an address. The
 * database judges them (trigger `email_outbox_share_link_limits`, migration 0004) in the batch that queues the
 * email; this module turns its refusal into a 429 that says when the next email is allowed.
 */
import { and, desc, eq, gt } from 'drizzle-orm';
import { emailOutbox } from '../../db/schema.ts';
import { isConstraintError, type Db } from '../db.ts';
import { DomainError } from '../errors.ts';

/** The figures of migration 0004's trigger: keep them in step. */
export const SHARE_LINK_EMAIL_LIMITS = { perRecipient: 5, perTeacher: 200, windowMs: 24 * 60 * 60 * 1000 };

interface LimitContext {
  teacherId: string;
  recipient: string;
  now: number;
}

/** The database, for the batch that queues a share-link email: a refusal by the daily limits becomes a 429. */
export const withinEmailLimits = (db: Db, context: LimitContext) => ({
  batch: (...statements: Parameters<Db['batch']>) =>
    db.batch(...statements).catch((error: unknown) => refuseOverEmailLimit(db, error, context)),
});

/**
 * For `.catch()` on the batch that queues a share-link email: a refusal by the daily limits becomes
 * `429 email_limit` with the seconds until the oldest counted email leaves the 24-hour window; any other
 * error is thrown on unchanged.
 */
export async function refuseOverEmailLimit(db: Db, error: unknown, context: LimitContext): Promise<never> {
  const perRecipient = isConstraintError(error, 'EMAIL_LIMIT_RECIPIENT');
  if (!perRecipient && !isConstraintError(error, 'EMAIL_LIMIT_TEACHER')) throw error;
  const { perRecipient: recipientLimit, perTeacher: teacherLimit, windowMs } = SHARE_LINK_EMAIL_LIMITS;
  const limit = perRecipient ? recipientLimit : teacherLimit;
  // The email whose 24 hours end first among the `limit` newest counted ones: when it leaves the window, one
  // more is allowed.
  const [oldestCounted] = await db
    .select({ createdAt: emailOutbox.createdAt })
    .from(emailOutbox)
    .where(
      and(
        eq(emailOutbox.teacherId, context.teacherId),
        eq(emailOutbox.template, 'share-link'),
        gt(emailOutbox.createdAt, context.now - windowMs),
        ...(perRecipient ? [eq(emailOutbox.recipient, context.recipient)] : []),
      ),
    )
    .orderBy(desc(emailOutbox.createdAt))
    .limit(1)
    .offset(limit - 1);
  const seconds = Math.max(1, Math.ceil(((oldestCounted?.createdAt ?? context.now) + windowMs - context.now) / 1000));
  const message = perRecipient
    ? `This student has had ${recipientLimit} emails from you in the last 24 hours. You can send another ${inAbout(seconds)}.`
    : `You have sent ${teacherLimit} link emails in the last 24 hours. You can send another ${inAbout(seconds)}.`;
  throw new DomainError('email_limit', 429, message, {
    headers: { 'Retry-After': String(seconds) },
    details: { limit, retryAfterSeconds: seconds },
  });
}

function inAbout(seconds: number): string {
  if (seconds < 90) return 'in a minute';
  if (seconds < 90 * 60) return `in about ${Math.round(seconds / 60)} minutes`;
  return `in about ${Math.round(seconds / 3600)} hours`;
}
