/**
 * What opened a live socket, and whether it still may watch. A socket lives only as long as its credential:
 * the object records the credential in the socket's attachment at the upgrade and judges it again at every
 * heartbeat, from one database read for all of its sockets (credential-check.ts). Pure functions.
 */
import type { LiveEnding } from '../../shared/live-protocol.ts';
import type { Audience } from './audience.ts';

export type LiveCredential =
  /**
   * A teacher's session. `expiresAt` is its expiry when the socket opened; activity elsewhere can move the
   * inactivity deadline, so the heartbeat recomputes it from the row with the two lifetimes recorded here.
   */
  | { kind: 'session'; id: string; expiresAt: number; idleTimeoutMs: number; absoluteLifetimeMs: number }
  /** A student's share link; its expiry is fixed when the link is made. */
  | { kind: 'link'; id: string; expiresAt: number };

/** What the Worker hands the object with an authenticated upgrade (one JSON header, set by routes/live.ts). */
export interface SocketRequest {
  teacherId: string;
  /** The calendar version read with the credential, so a fresh object never greets with 0. */
  version: number;
  audience: Audience;
  credential: LiveCredential;
  /** A hash of the client's address, for the per-address cap (never the address itself). */
  address: string;
  /** Test mode only: the upgrade's shift from the wall clock, so expiry is judged at the same moved time. */
  clockShiftMs?: number;
  /** A hash of the secret that opened the credential (link token or session cookie): what tickets are bound to. */
  binding: string;
  /** Opened with a ticket (live/ticket.ts): the database was not asked, so the object checks what it knows. */
  viaTicket?: boolean;
  /** The version the client already holds (`?since=`): the object sends the events after it with its hello. */
  since?: number;
}

/** Kept in each socket's attachment (survives hibernation). */
export type SocketAttachment = Omit<SocketRequest, 'teacherId' | 'version' | 'viaTicket' | 'since'>;

/** A session row as the heartbeat reads it. */
export interface SessionRow {
  createdAt: number;
  lastVerifiedAt: number;
  disabledAt: number | null;
}

/** A share-link row as the heartbeat reads it. */
export interface LinkRow {
  expiresAt: number;
  revokedAt: number | null;
}

/** What the database said at this heartbeat; null when it couldn't be asked. A missing row was deleted. */
export interface CredentialRows {
  sessions: Map<string, SessionRow>;
  links: Map<string, LinkRow>;
}

/**
 * Why the socket's credential no longer allows watching at `now`, or null while it does. Without the database's
 * answer only what the attachment alone can prove is judged: a link's fixed expiry. (A session's recorded
 * expiry may have moved on since, so it waits for the next heartbeat that reaches the database.)
 */
export function credentialEnding(
  credential: LiveCredential,
  rows: CredentialRows | null,
  now: number,
): LiveEnding | null {
  if (credential.kind === 'link') {
    const row = rows?.links.get(credential.id);
    if (rows && (!row || row.revokedAt !== null)) return 'link_revoked';
    return now >= (row?.expiresAt ?? credential.expiresAt) ? 'link_expired' : null;
  }
  if (!rows) return null;
  const row = rows.sessions.get(credential.id);
  if (!row || row.disabledAt !== null) return 'session_ended';
  const expiresAt = Math.min(
    row.createdAt + credential.absoluteLifetimeMs,
    row.lastVerifiedAt + credential.idleTimeoutMs,
  );
  return now >= expiresAt ? 'session_ended' : null;
}

/** The tag that finds every socket opened with a credential (a sign-out or revocation closes them by it). */
export const credentialTag = (credential: Pick<LiveCredential, 'kind' | 'id'>) => `${credential.kind}:${credential.id}`;
