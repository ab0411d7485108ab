import { describe, expect, it } from 'vitest';
import { credentialEnding, type CredentialRows, type LiveCredential } from './credentials.ts';

const DAY = 24 * 60 * 60 * 1000;
const session: LiveCredential = {
  kind: 'session',
  id: 's1',
  expiresAt: 10 * DAY,
  idleTimeoutMs: 10 * DAY,
  absoluteLifetimeMs: 30 * DAY,
};
const link: LiveCredential = { kind: 'link', id: 'l1', expiresAt: 5 * DAY };
const rows = (over: Partial<{ session: object | null; link: object | null }> = {}): CredentialRows => ({
  sessions: new Map(
    over.session === null ? [] : [['s1', { createdAt: 0, lastVerifiedAt: 0, disabledAt: null, ...over.session }]],
  ),
  links: new Map(over.link === null ? [] : [['l1', { expiresAt: 5 * DAY, revokedAt: null, ...over.link }]]),
});

describe('whether a live socket’s credential still allows watching', () => {
  it('keeps a live session and link', () => {
    expect(credentialEnding(session, rows(), DAY)).toBeNull();
    expect(credentialEnding(link, rows(), DAY)).toBeNull();
  });

  it('ends a session that was deleted (signed out), whose account is disabled, or that timed out', () => {
    expect(credentialEnding(session, rows({ session: null }), DAY)).toBe('session_ended');
    expect(credentialEnding(session, rows({ session: { disabledAt: 1 } }), DAY)).toBe('session_ended');
    expect(credentialEnding(session, rows(), 10 * DAY)).toBe('session_ended');
  });

  it('follows the session’s activity elsewhere, up to its absolute lifetime', () => {
    expect(credentialEnding(session, rows({ session: { lastVerifiedAt: 9 * DAY } }), 12 * DAY)).toBeNull();
    expect(credentialEnding(session, rows({ session: { lastVerifiedAt: 29 * DAY } }), 30 * DAY)).toBe('session_ended');
  });

  it('ends a link that was revoked or deleted, and one that expired', () => {
    expect(credentialEnding(link, rows({ link: { revokedAt: 1 } }), DAY)).toBe('link_revoked');
    expect(credentialEnding(link, rows({ link: null }), DAY)).toBe('link_revoked');
    expect(credentialEnding(link, rows(), 5 * DAY)).toBe('link_expired');
  });

  it('without the database, judges only what the attachment proves: a link’s fixed expiry', () => {
    expect(credentialEnding(link, null, 5 * DAY)).toBe('link_expired');
    expect(credentialEnding(link, null, DAY)).toBeNull();
    expect(credentialEnding(session, null, 100 * DAY)).toBeNull();
  });
});
