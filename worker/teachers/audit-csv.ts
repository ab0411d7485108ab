/**
 * The teacher's audit trail as CSV (RFC 4180): every cell quoted, quotes doubled, CRLF line ends, and a cell a
 * spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) prefixed with `'`,
 * as OWASP advises, since names and user agents come from other people.
 */
import { AUDIT_ACTIONS, type AuditEntryView } from '../../shared/audit-actions.ts';

export const AUDIT_CSV_HEADER = [
  'time_utc',
  'action',
  'what',
  'actor_kind',
  'actor',
  'actor_id',
  'student',
  'student_id',
  'target_type',
  'target_id',
  'ip_hash',
  'user_agent',
  'details',
  'changes',
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return `"${safe.replaceAll('"', '""')}"`;
}

export const csvLine = (cells: readonly unknown[]) => cells.map(csvCell).join(',') + '\r\n';

export function auditCsvLine(entry: AuditEntryView): string {
  return csvLine([
    new Date(entry.at).toISOString(),
    entry.action,
    AUDIT_ACTIONS[entry.action] ?? entry.action,
    entry.actor.kind,
    entry.actor.name,
    entry.actor.id,
    entry.student?.name,
    entry.student?.id,
    entry.target.type,
    entry.target.id,
    entry.ipHash,
    entry.userAgent,
    entry.details,
    entry.changes,
  ]);
}
