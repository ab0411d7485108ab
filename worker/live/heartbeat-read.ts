/**
 * The heartbeat's one database round trip: the committed calendar version (so a lost publish shows up as a
 * gap) and the rows of every session and share link that opened one of the object's sockets (so a socket
 * whose credential ended is closed). One batch per heartbeat, whatever the number of sockets.
 */
import { eq, inArray } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { authSessions, shareLinks, teachers, users } from '../../db/schema.ts';
import type { Db } from '../db.ts';
import type { CredentialRows, LinkRow, SessionRow } from './credentials.ts';

/** Ids per IN list: well under every SQLite build's limit on bound parameters. */
const IDS_PER_STATEMENT = 400;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += IDS_PER_STATEMENT) out.push(items.slice(i, i + IDS_PER_STATEMENT));
  return out;
}

export async function readHeartbeatState(
  db: Db,
  teacherId: string,
  sessionIds: string[],
  linkIds: string[],
): Promise<{ version: number | null; rows: CredentialRows }> {
  const sessionStatements = chunks(sessionIds).map((ids) =>
    db
      .select({
        id: authSessions.id,
        createdAt: authSessions.createdAt,
        lastVerifiedAt: authSessions.lastVerifiedAt,
        disabledAt: users.disabledAt,
      })
      .from(authSessions)
      .innerJoin(users, eq(users.id, authSessions.userId))
      .where(inArray(authSessions.id, ids)),
  );
  const linkStatements = chunks(linkIds).map((ids) =>
    db
      .select({ id: shareLinks.id, expiresAt: shareLinks.expiresAt, revokedAt: shareLinks.revokedAt })
      .from(shareLinks)
      .where(inArray(shareLinks.id, ids)),
  );
  const versionStatement = db.select({ v: teachers.calendarVersion }).from(teachers).where(eq(teachers.id, teacherId));
  const results = (await db.batch([versionStatement, ...sessionStatements, ...linkStatements] as [
    BatchItem<'sqlite'>,
    ...BatchItem<'sqlite'>[],
  ])) as unknown[][];
  const [versionRows, ...rest] = results;
  const sessions = new Map<string, SessionRow>();
  for (const rows of rest.slice(0, sessionStatements.length) as (SessionRow & { id: string })[][])
    for (const { id, ...row } of rows) sessions.set(id, row);
  const links = new Map<string, LinkRow>();
  for (const rows of rest.slice(sessionStatements.length) as (LinkRow & { id: string })[][])
    for (const { id, ...row } of rows) links.set(id, row);
  const version = (versionRows as { v: number }[])[0]?.v ?? null;
  return { version, rows: { sessions, links } };
}
