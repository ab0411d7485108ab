/**
 * The teacher's audit trail, read: entries in the teacher's own trail (`audit_log.teacher_id`), and the views of
 * the teacher's share links from `link_events` as "link opened" entries (DESIGN.md, "Audit trail"). Newest first,
 * paged by the key (at, id): a page never repeats or skips an entry, however many are written meanwhile.
 */
import { sql, type SQL } from 'drizzle-orm';
import {
  AUDIT_RETENTION_DAYS,
  type AuditAction,
  type AuditActorKind,
  type AuditEntryView,
} from '../../shared/audit-actions.ts';
import { selectByName, type Db } from '../db.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
export const AUDIT_RETENTION_MS = AUDIT_RETENTION_DAYS * DAY_MS;

export interface TrailQuery {
  action?: AuditAction;
  studentId?: string;
  /** Inclusive, epoch ms. */
  from?: number;
  /** Exclusive, epoch ms. */
  to?: number;
  /** The last entry of the previous page. */
  after?: { at: number; id: string };
  limit: number;
}

interface Row {
  id: string;
  at: number;
  action: AuditAction;
  actorType: AuditActorKind;
  actorId: string | null;
  targetType: string | null;
  targetId: string | null;
  studentId: string | null;
  studentName: string | null;
  keyName: string | null;
  ipHash: string | null;
  userAgent: string | null;
  details: string | null;
  changes: string | null;
}

/** The page's cursor: opaque to the client, `<at>.<id>` of the page's last entry. */
export const encodeCursor = (entry: { at: number; id: string }) => `${entry.at}.${entry.id}`;
export const CURSOR_PATTERN = /^(\d{1,15})\.([0-9a-f-]{36})$/;
export function decodeCursor(cursor: string): { at: number; id: string } | null {
  const match = CURSOR_PATTERN.exec(cursor);
  return match ? { at: Number(match[1]), id: match[2]! } : null;
}

/** One page of the teacher's trail and the cursor of the next page (null on the last one). */
export async function readTrail(db: Db, teacherId: string, query: TrailQuery, now: number) {
  // Entries older than the retention period are purged by the cron job; views in link_events are held to the
  // same period here, so the trail shows one span whatever the source.
  const from = Math.max(query.from ?? 0, now - AUDIT_RETENTION_MS);
  const to = query.to ?? Number.MAX_SAFE_INTEGER;
  const before = (at: SQL, id: SQL) =>
    query.after
      ? sql`AND (${at} < ${query.after.at} OR (${at} = ${query.after.at} AND ${id} < ${query.after.id}))`
      : sql``;
  const logged = sql`
    SELECT a.id, a.at, a.action, a.actor_type AS actorType, a.actor_id AS actorId, a.target_type AS targetType,
      a.target_id AS targetId, a.student_id AS studentId, a.ip_hash AS ipHash, a.user_agent AS userAgent,
      a.details, a.changes
    FROM audit_log a
    WHERE a.teacher_id = ${teacherId} AND a.at >= ${from} AND a.at < ${to}
      ${query.action ? sql`AND a.action = ${query.action}` : sql``}
      ${query.studentId ? sql`AND a.student_id = ${query.studentId}` : sql``}
      ${before(sql`a.at`, sql`a.id`)}
    ORDER BY a.at DESC, a.id DESC LIMIT ${query.limit + 1}`;
  const viewed = sql`
    SELECT e.id, e.at, 'share_link.accessed' AS action, 'share_link' AS actorType, e.share_link_id AS actorId,
      'share_link' AS targetType, e.share_link_id AS targetId, l.student_id AS studentId, NULL AS ipHash,
      NULL AS userAgent, NULL AS details, NULL AS changes
    FROM link_events e JOIN share_links l ON l.id = e.share_link_id
    WHERE e.teacher_id = ${teacherId} AND e.kind = 'view' AND e.at >= ${from} AND e.at < ${to}
      ${query.studentId ? sql`AND l.student_id = ${query.studentId}` : sql``}
      ${before(sql`e.at`, sql`e.id`)}
    ORDER BY e.at DESC, e.id DESC LIMIT ${query.limit + 1}`;
  const sources = query.action === 'share_link.accessed' ? [viewed] : query.action ? [logged] : [logged, viewed];
  // Each source is already cut to one page by its own index; the union is cut again.
  const union = sql.join(
    sources.map((s) => sql`SELECT * FROM (${s})`),
    sql` UNION ALL `,
  );
  const rows = await selectByName<Row>(
    db,
    sql`
    SELECT u.*, s.name AS studentName, k.name AS keyName
    FROM (${union}) u
    LEFT JOIN students s ON s.id = u.studentId AND s.teacher_id = ${teacherId}
    LEFT JOIN api_keys k ON u.actorType = 'api_key' AND k.id = u.actorId AND k.teacher_id = ${teacherId}
    ORDER BY u.at DESC, u.id DESC LIMIT ${query.limit + 1}`,
  );
  const page = rows.slice(0, query.limit).map((row) => entryView(row, teacherId));
  const last = page.at(-1);
  return { entries: page, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
}

const parseJson = (text: string | null) => (text ? (JSON.parse(text) as Record<string, never>) : null);

function actorName(row: Row, teacherId: string): string | null {
  switch (row.actorType) {
    case 'teacher':
      return row.actorId === teacherId ? 'You' : null;
    case 'api_key':
      return row.keyName;
    case 'share_link':
      return row.studentName ? `${row.studentName}’s link` : null;
    case 'student':
      return row.studentName;
    default:
      return null;
  }
}

function entryView(row: Row, teacherId: string): AuditEntryView {
  return {
    id: row.id,
    at: row.at,
    action: row.action,
    actor: { kind: row.actorType, id: row.actorId, name: actorName(row, teacherId) },
    target: { type: row.targetType, id: row.targetId },
    student: row.studentId && row.studentName ? { id: row.studentId, name: row.studentName } : null,
    ipHash: row.ipHash,
    userAgent: row.userAgent,
    details: parseJson(row.details),
    changes: parseJson(row.changes),
  };
}
