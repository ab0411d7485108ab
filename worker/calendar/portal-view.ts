/**
 * The calendar a student sees through a share link: the teacher's slots, privacy-filtered. Other students'
 * bookings appear only as "booked"; the student's own are `mine`. One database round trip: the link (with its
 * student and teacher, whose row carries the calendar version) and the slots are read in one batch, one
 * transaction, the slots found by the link's token hash, so the version and the slots agree and nothing waits
 * for the link to be resolved first.
 */
import { and, eq, gt, gte, lt, ne } from 'drizzle-orm';
import { bookings, shareLinks, slots } from '../../db/schema.ts';
import { bookingRefusal } from '../../shared/booking-rules.ts';
import type { Db } from '../db.ts';
import { statementTemplate } from '../db-template.ts';
import type { SlotView } from '../../shared/live-protocol.ts';
import {
  judgeLink,
  linkWithTokenHash,
  ofLinkWithTokenHash,
  type LinkSeen,
  type ResolvedLink,
} from '../share-links/resolve.ts';
import type { LinkState } from '../share-links/state.ts';
import { isShareTokenShape, shareTokenHash } from '../share-links/tokens.ts';
import { overlappingRange } from './slot-views.ts';

/**
 * The slots of the teacher whose link has this token, in [from, to): only the columns the portal shows, flat.
 * A calendar read decodes every cell of every row (the client builds an object per row, property by property),
 * so a column nobody reads is CPU spent on each slot of each view (DESIGN.md, "Cost per request").
 */
const portalSlotsOfLink = statementTemplate(
  (db, p: { tokenHash: string; startsFrom: number; from: number; to: number }) =>
    db
      .select({
        id: slots.id,
        startsAt: slots.startsAt,
        endsAt: slots.endsAt,
        subject: slots.subject,
        status: slots.status,
        bookedBy: bookings.studentId,
      })
      .from(slots)
      .leftJoin(bookings, and(eq(bookings.slotId, slots.id), eq(bookings.status, 'scheduled')))
      .where(
        and(
          eq(slots.teacherId, ofLinkWithTokenHash(db, shareLinks.teacherId, p.tokenHash)),
          gte(slots.startsAt, p.startsFrom),
          lt(slots.startsAt, p.to),
          gt(slots.endsAt, p.from),
          ne(slots.status, 'canceled'),
        ),
      )
      .orderBy(slots.startsAt),
);

/**
 * Resolves the token and reads its teacher's calendar in one round trip. Throws what resolveLink throws
 * (404 unknown, 410 not allowed); a malformed token costs no round trip at all.
 */
export async function portalCalendar(
  db: Db,
  token: string,
  range: { from: number; to: number },
  now: number,
  allow: LinkState[],
  seen?: LinkSeen,
): Promise<{ resolved: ResolvedLink; version: number; slots: SlotView[] }> {
  if (!isShareTokenShape(token)) await judgeLink(db, null, now, allow);
  const tokenHash = shareTokenHash(token);
  const [links, rows] = await db.batch([
    linkWithTokenHash(db, tokenHash),
    portalSlotsOfLink(db, { tokenHash, ...overlappingRange(range.from, range.to) }),
  ]);
  const resolved = await judgeLink(db, links[0] ?? null, now, allow, seen);
  const { teacher, student } = resolved;
  return {
    resolved,
    version: teacher.calendarVersion,
    slots: rows.map(({ bookedBy, ...slot }) => ({
      ...slot,
      seriesId: null,
      mine: bookedBy === student.id,
      bookable: slot.status === 'open' && bookingRefusal(slot.startsAt, teacher, now) === null,
    })),
  };
}
