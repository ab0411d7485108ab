/**
 * Every action the audit trail records, with the words the teacher's audit page shows for it. The Worker
 * validates the `action` filter against these names; the page builds its filter menu from them.
 */
export const AUDIT_ACTIONS = {
  'auth.signed_in': 'Signed in',
  'auth.sign_in_failed': 'Sign-in failed',
  'auth.oauth_failed': 'Provider sign-in failed',
  'auth.link_requested': 'Sign-in link requested',
  'auth.oauth_linked': 'Sign-in provider linked',
  'auth.oauth_unlinked': 'Sign-in provider unlinked',
  'account.created': 'Account created',
  'share_link.created': 'Link created',
  'share_link.regenerated': 'Link regenerated',
  'share_link.revoked': 'Link revoked',
  'share_link.changed': 'Link expiry or limit changed',
  'share_link.emailed': 'Link emailed',
  'share_link.accessed': 'Link opened',
  'booking.created': 'Booking made',
  'booking.canceled': 'Booking cancelled',
  'booking.rescheduled': 'Rescheduled by student',
  'booking.moved': 'Moved by teacher',
  'booking.outcome_recorded': 'Outcome recorded',
  'booking.outcome_changed': 'Outcome changed',
  'api_key.created': 'API key created',
  'api_key.revoked': 'API key revoked',
  'slots.created': 'Open times added',
  'slots.canceled': 'Open times removed',
  'availability.updated': 'Student availability changed',
  'availability.shared': 'Availability shared',
  'availability.unshared': 'Availability no longer shared',
  'settings.changed': 'Settings changed',
  'student.added': 'Student added',
  'student.removed': 'Student removed',
  'student.confirmation_resent': 'Confirmation sent again',
  'email.sent': 'Email sent',
  'email.failed': 'Email failed',
  'email.bounced': 'Email bounced',
  'email.complained': 'Email marked as spam',
} as const;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export const AUDIT_ACTION_NAMES = Object.keys(AUDIT_ACTIONS) as [AuditAction, ...AuditAction[]];

export const AUDIT_ACTOR_KINDS = ['teacher', 'student', 'share_link', 'api_key', 'system', 'anonymous'] as const;
export type AuditActorKind = (typeof AUDIT_ACTOR_KINDS)[number];

/** How long entries are kept (DESIGN.md, "Audit trail"): 400 days, a school year and its appeals. */
export const AUDIT_RETENTION_DAYS = 400;

/** One entry as the teacher's audit API answers it. */
export interface AuditEntryView {
  id: string;
  at: number;
  action: AuditAction;
  actor: { kind: AuditActorKind; id: string | null; name: string | null };
  target: { type: string | null; id: string | null };
  student: { id: string; name: string } | null;
  /** A keyed hash of the client address (the same address gives the same hash), never the address. */
  ipHash: string | null;
  userAgent: string | null;
  details: Record<string, unknown> | null;
  changes: Record<string, { from: unknown; to: unknown }> | null;
}
