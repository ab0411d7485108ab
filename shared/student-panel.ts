/**
 * What the teacher's student panel (/teacher/students) and the Worker agree on: when a link counts as expiring
 * soon, when a student counts as inactive, and how long a link may last. Pure, so both sides import it.
 */
export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

/** An active link that stops working within this time is flagged "expiring soon". */
export const EXPIRING_SOON_MS = 3 * DAY_MS;
/** No visit to any of the student's links and no booking in this time: "inactive" (as in the analytics). */
export const INACTIVE_AFTER_MS = 30 * DAY_MS;

/** A link lasts between an hour and a year, in whole hours. */
export const MIN_LINK_HOURS = 1;
export const MAX_LINK_HOURS = 365 * 24;

/** How long a link lasts, given in hours or in days: the form's two units. */
export type LinkLifetime = { hours: number } | { days: number };

export function lifetimeMs(lifetime: LinkLifetime): number {
  return 'hours' in lifetime ? lifetime.hours * HOUR_MS : lifetime.days * DAY_MS;
}

export function isExpiringSoon(link: { state: string; expiresAt: number }, now: number): boolean {
  return link.state === 'active' && link.expiresAt - now <= EXPIRING_SOON_MS;
}

/** The student's last sign of life: their newest visit to any of their links or their newest booking. */
export function isInactive(lastVisitAt: number | null, lastBookedAt: number | null, now: number): boolean {
  return Math.max(lastVisitAt ?? 0, lastBookedAt ?? 0) <= now - INACTIVE_AFTER_MS;
}
