/**
 * The audit trail's one writer. Every domain write puts `auditStatement(db, env, entry, now)` into the
 * batch of the change it records, so the entry commits (or rolls back) with it. See DESIGN.md, "Audit trail".
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { SQL, sql } from 'drizzle-orm';
import type { SQLiteInsertValue } from 'drizzle-orm/sqlite-core';
import { auditLog } from '../db/schema.ts';
import type { AuditAction } from '../shared/audit-actions.ts';
import { hmacHex } from './crypto/hash.ts';
import { newId } from './crypto/random.ts';
import type { Db } from './db.ts';
import { insertRow } from './db-template.ts';
import { config, type Env } from './env.ts';

export type AuditChanges = Record<string, { from: unknown; to: unknown }>;

export interface AuditEntry {
  actorType: (typeof auditLog.$inferInsert)['actorType'];
  actorId?: string | null;
  action: AuditAction;
  targetType?: string;
  targetId?: string | null;
  /** The teacher whose trail shows the entry; null or absent: no teacher's (a student's own sign-in, say). */
  teacherId?: string | null;
  /** The teacher's student (`students.id`) the entry is about; SQL for a student the same batch enrols. */
  studentId?: string | SQL | null;
  /** Raw client IP: stored only as a keyed hash. */
  ip?: string;
  userAgent?: string;
  /**
   * Never a token, a link or a password: keys that name one are dropped (`safeDetails`). SQL when the batch
   * itself decides a detail (a booking's `newAccount`).
   */
  details?: Record<string, unknown> | SQL;
  /** Old → new values of what changed. */
  changes?: AuditChanges;
}

export const USER_AGENT_MAX = 200;

/** Where the request came from: set once per request (`http/middleware.ts`), read by every entry it writes. */
export interface AuditClient {
  ip: string;
  userAgent?: string;
}

const requestClient = new AsyncLocalStorage<AuditClient>();

/**
 * Runs the rest of the request with its client known to the audit trail, so every entry a request writes says
 * where it came from without each domain function carrying the address and user agent. Entries written
 * outside a request (cron, queue) have no client: they are the system's.
 */
export function withAuditClient<T>(client: AuditClient, run: () => T): T {
  return requestClient.run(client, run);
}

/** A user agent as stored: control characters out, whitespace collapsed, at most 200 characters. */
export function sanitizeUserAgent(userAgent: string | undefined): string | null {
  if (!userAgent) return null;
  // Unicode's "Cc" category: C0 and C1 control characters (a newline could forge a line in a CSV or a log).
  const clean = userAgent
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean ? clean.slice(0, USER_AGENT_MAX) : null;
}

/** A second line of defence behind each caller's care: a detail named like a secret never reaches the log. */
const SECRET_KEY_NAME = /token|secret|password|session|cookie|^link$|url$/i;

function safeDetails(details: AuditEntry['details']): Record<string, unknown> | SQL | null {
  if (!details) return null;
  if (details instanceof SQL) return details;
  const kept = Object.entries(details).filter(([key, value]) => value !== undefined && !SECRET_KEY_NAME.test(key));
  return kept.length > 0 ? Object.fromEntries(kept) : null;
}

/** The keyed hash an address is stored as: the same address gives the same hash, and it can't be reversed. */
export function hashIp(env: Env, ip: string): string {
  return hmacHex(config(env).SECRET_KEY, `ip:${ip}`).slice(0, 32);
}

/** The audit row for an entry. */
export function auditValues(env: Env, entry: AuditEntry, now: number): SQLiteInsertValue<typeof auditLog> {
  const client = requestClient.getStore();
  const ip = entry.ip ?? client?.ip;
  return {
    id: newId(),
    at: now,
    actorType: entry.actorType,
    actorId: entry.actorId ?? null,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    teacherId: entry.teacherId ?? null,
    studentId: entry.studentId ?? null,
    ipHash: ip ? hashIp(env, ip) : null,
    userAgent: sanitizeUserAgent(entry.userAgent ?? client?.userAgent),
    details: safeDetails(entry.details),
    changes: entry.changes && Object.keys(entry.changes).length > 0 ? entry.changes : null,
  };
}

/**
 * The insert to put into the batch of the change the entry records. Synchronous on purpose (the address hash is
 * pure JavaScript): a drizzle query is a thenable, so an async function returning one would run it on its own.
 */
export function auditStatement(db: Db, env: Env, entry: AuditEntry, now: number) {
  return insertRow(db, auditLog, auditValues(env, entry, now));
}

/** Old → new for each field whose value differs (compared as JSON, so arrays and objects compare by value). */
export function changesBetween(before: Record<string, unknown>, after: Record<string, unknown>): AuditChanges {
  const changes: AuditChanges = {};
  for (const [field, to] of Object.entries(after)) {
    const from = before[field] ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to ?? null)) changes[field] = { from, to: to ?? null };
  }
  return changes;
}

/**
 * The entry only if `condition` holds when the batch reaches it (an account made by this very booking, say):
 * `INSERT … SELECT … WHERE`, as the outbox's conditional insert.
 */
export function auditStatementWhen(db: Db, env: Env, entry: AuditEntry, now: number, condition: SQL) {
  const row = auditValues(env, entry, now);
  const keys = Object.keys(row) as (keyof typeof row)[];
  const asJson = (value: unknown) =>
    value === null || value === undefined || value instanceof SQL ? value : JSON.stringify(value);
  const columns = sql.join(
    keys.map((key) => sql.identifier(auditLog[key].name)),
    sql`, `,
  );
  const values = sql.join(
    keys.map((key) => sql`${key === 'details' || key === 'changes' ? asJson(row[key]) : row[key]}`),
    sql`, `,
  );
  return db.run(sql`INSERT INTO ${auditLog} (${columns}) SELECT ${values} WHERE ${condition}`);
}
