/**
 * Live tickets: a short-lived, signed permission to open one calendar's socket without asking the database.
 *
 * After a deploy every watcher reconnects at once; an upgrade that looks its session or share link up is a
 * database round trip per watcher, and a thousand of them at once is what made the storm slow. A ticket is
 * handed out only right after the credential was checked against the database: by the page's own calendar
 * read, and by each heartbeat of the calendar object (which reads every socket's credential anyway). It is
 * bound to the calendar, the credential (its id and expiry) and a hash of the secret that opened it (the share
 * link's token or the session cookie), so it is useless without that secret, and it lives a minute and a half.
 * Sockets opened with one still end with their credential: the object refuses a ticket whose credential it
 * was told ended (sign-out, revocation) and checks the database for them within a few seconds (DESIGN.md,
 * "Live updates").
 */
import { fromBase64url, toBase64url } from '../crypto/base64url.ts';
import type { LiveTicket } from '../../shared/live-connection.ts';
import { sha256Hex } from '../crypto/hash.ts';
import type { Audience } from './audience.ts';
import type { LiveCredential } from './credentials.ts';

/** How long a ticket opens sockets: longer than a heartbeat (which renews it), short enough to be harmless. */
export const TICKET_LIFETIME_MS = 90_000;

/** What a ticket lets its holder open. */
export interface TicketClaims {
  /** The calendar (teacher) whose object the socket joins. */
  teacherId: string;
  audience: Audience;
  credential: LiveCredential;
  /** keyHash() of the secret that opened the credential: the share link's token or the session cookie. */
  binding: string;
  /** When the ticket stops opening sockets (never after the credential's own expiry). */
  expiresAt: number;
}

/** A hash for limiter keys, socket tags and ticket bindings: none of them may hold a usable secret. */
export const keyHash = (value: string) => sha256Hex(value).slice(0, 32);

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const keys = new Map<string, Promise<CryptoKey>>();

/** An HMAC key derived from SECRET_KEY for this purpose alone, once per isolate. */
function ticketKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle
      .importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey'])
      .then((base) =>
        crypto.subtle.deriveKey(
          { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode('slotcast:live-ticket') },
          base,
          { name: 'HMAC', hash: 'SHA-256', length: 256 },
          false,
          ['sign', 'verify'],
        ),
      );
    keys.set(secret, key);
  }
  return key;
}

/** Signs a ticket for a credential the caller has just checked; it expires with the credential at the latest. */
export async function issueTicket(
  secret: string,
  claims: Omit<TicketClaims, 'expiresAt'>,
  now: number,
): Promise<LiveTicket> {
  const expiresAt = Math.min(now + TICKET_LIFETIME_MS, claims.credential.expiresAt);
  const body = toBase64url(encoder.encode(JSON.stringify({ ...claims, expiresAt })));
  const signature = await crypto.subtle.sign('HMAC', await ticketKey(secret), encoder.encode(body));
  return { value: `${body}.${toBase64url(new Uint8Array(signature))}`, expiresAt };
}

export type TicketCheck =
  | { ok: true; claims: TicketClaims }
  /** Not one of ours, altered, or made for another credential or calendar. */
  | { ok: false; why: 'invalid' }
  /** Genuine but too old: the page reads the calendar again for a fresh one. */
  | { ok: false; why: 'expired' };

/**
 * Checks a ticket's signature, that it was made for `binding` (the secret this upgrade presents), and its
 * expiry at `now`. No database: that is the point.
 */
export async function checkTicket(secret: string, value: string, binding: string, now: number): Promise<TicketCheck> {
  const [body, signature, extra] = value.split('.');
  if (!body || !signature || extra !== undefined || value.length > 2048) return { ok: false, why: 'invalid' };
  let claims: TicketClaims;
  try {
    const valid = await crypto.subtle.verify(
      'HMAC',
      await ticketKey(secret),
      new Uint8Array(fromBase64url(signature)),
      encoder.encode(body),
    );
    if (!valid) return { ok: false, why: 'invalid' };
    claims = JSON.parse(decoder.decode(fromBase64url(body))) as TicketClaims;
  } catch {
    return { ok: false, why: 'invalid' };
  }
  if (claims.binding !== binding) return { ok: false, why: 'invalid' };
  if (now >= claims.expiresAt) return { ok: false, why: 'expired' };
  return { ok: true, claims };
}
