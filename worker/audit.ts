import { auditLog } from '../db/schema.ts';
import { hmacHex } from './crypto/hash.ts';
import { newId } from './crypto/random.ts';
import { config, type Env } from './env.ts';

export interface AuditEntry {
  actorType: (typeof auditLog.$inferInsert)['actorType'];
  actorId?: string | null;
  action: string;
  targetType?: string;
  targetId?: string | null;
  /** Raw client IP: stored only as a keyed hash. */
  ip?: string;
  userAgent?: string;
  /** Never a token, a link or a password. */
  details?: Record<string, unknown>;
}

/** The audit row to put into the batch of the change it records. */
export async function auditValues(env: Env, entry: AuditEntry, now: number): Promise<typeof auditLog.$inferInsert> {
  return {
    id: newId(),
    at: now,
    actorType: entry.actorType,
    actorId: entry.actorId ?? null,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    ipHash: entry.ip ? (await hmacHex(config(env).SECRET_KEY, `ip:${entry.ip}`)).slice(0, 32) : null,
    userAgent: entry.userAgent?.slice(0, 200) ?? null,
    details: entry.details ?? null,
  };
}
