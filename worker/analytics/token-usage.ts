/**
 * Link analytics: for each of a teacher's share links, who it is for, what state it is in, and how it was used
 * over all time and in the period. Visits and bookings are read from `link_events`; cancellations from the
 * bookings made through the link (`bookings.share_link_id`), since a booking is canceled by the teacher or from
 * the student's dashboard as often as through the link itself. Views reach `link_events` a few seconds after the
 * visit (the calendar object batches them), so a visit this second may not count yet.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import { bookings, linkEvents, shareLinks, students } from '../../db/schema.ts';
import type { Db } from '../db.ts';
import { notFound } from '../errors.ts';
import { linkState } from '../share-links/state.ts';
import type { Period } from './period.ts';

/** An active link that expires within this time is "expiring soon": time to send the student a new one. */
export const EXPIRING_SOON_MS = 3 * 24 * 60 * 60 * 1000;

export type LinkUsageState = 'active' | 'expiring_soon' | 'expired' | 'revoked' | 'used_up';

type EventKind = (typeof linkEvents.$inferSelect)['kind'];
interface Counts {
  count: number;
  last: number | null;
}
interface EventTotals {
  allTime: Counts;
  inPeriod: Counts;
}

interface CancelCounts {
  byStudent: number;
  byTeacher: number;
  other: number;
}
const noCancellations = (): CancelCounts => ({ byStudent: 0, byTeacher: 0, other: 0 });

const noEvents = (): EventTotals => ({ allTime: { count: 0, last: null }, inPeriod: { count: 0, last: null } });

/** Bookings per visit in the period, 0..1 (two decimals); null without a visit. */
export function visitToBookingShare(visits: number, bookings: number): number | null {
  if (visits === 0) return null;
  return Math.round(Math.min(1, bookings / visits) * 100) / 100;
}

export async function tokenUsage(db: Db, teacherId: string, period: Period, now: number, studentId?: string) {
  const ownLinks = studentId
    ? and(eq(shareLinks.teacherId, teacherId), eq(shareLinks.studentId, studentId))
    : eq(shareLinks.teacherId, teacherId);
  const inPeriod = sql`(${linkEvents.at} >= ${period.startMs} AND ${linkEvents.at} < ${period.endMs})`;
  const canceledInPeriod = sql`(${bookings.canceledAt} >= ${period.startMs} AND ${bookings.canceledAt} < ${period.endMs})`;
  const [student, links, events, cancellations] = await db.batch([
    db
      .select({ id: students.id })
      .from(students)
      .where(and(eq(students.teacherId, teacherId), eq(students.id, studentId ?? '')))
      .limit(1),
    db
      .select({ link: shareLinks, student: { id: students.id, name: students.name, color: students.color } })
      .from(shareLinks)
      .innerJoin(students, eq(students.id, shareLinks.studentId))
      .where(ownLinks)
      .orderBy(desc(shareLinks.createdAt)),
    db
      .select({
        linkId: linkEvents.shareLinkId,
        kind: linkEvents.kind,
        count: sql<number>`count(*)`,
        last: sql<number | null>`max(${linkEvents.at})`,
        countInPeriod: sql<number>`coalesce(sum(CASE WHEN ${inPeriod} THEN 1 ELSE 0 END), 0)`,
        lastInPeriod: sql<number | null>`max(CASE WHEN ${inPeriod} THEN ${linkEvents.at} END)`,
      })
      .from(linkEvents)
      .innerJoin(shareLinks, eq(shareLinks.id, linkEvents.shareLinkId))
      .where(and(eq(linkEvents.teacherId, teacherId), ownLinks))
      .groupBy(linkEvents.shareLinkId, linkEvents.kind),
    db
      .select({
        linkId: bookings.shareLinkId,
        by: bookings.canceledBy,
        count: sql<number>`count(*)`,
        countInPeriod: sql<number>`coalesce(sum(CASE WHEN ${canceledInPeriod} THEN 1 ELSE 0 END), 0)`,
      })
      .from(bookings)
      .innerJoin(shareLinks, eq(shareLinks.id, bookings.shareLinkId))
      .where(and(eq(bookings.teacherId, teacherId), ownLinks, eq(bookings.status, 'canceled')))
      .groupBy(bookings.shareLinkId, bookings.canceledBy),
  ]);
  if (studentId && student.length === 0) throw notFound('No such student.');

  const totals = new Map<string, Record<EventKind, EventTotals>>();
  for (const row of events) {
    const perKind = totals.get(row.linkId) ?? { view: noEvents(), booking: noEvents(), cancellation: noEvents() };
    perKind[row.kind] = {
      allTime: { count: Number(row.count), last: row.last === null ? null : Number(row.last) },
      inPeriod: { count: Number(row.countInPeriod), last: row.lastInPeriod === null ? null : Number(row.lastInPeriod) },
    };
    totals.set(row.linkId, perKind);
  }

  const canceled = new Map<string, { allTime: CancelCounts; inPeriod: CancelCounts }>();
  for (const row of cancellations) {
    const entry = canceled.get(row.linkId!) ?? { allTime: noCancellations(), inPeriod: noCancellations() };
    const side = row.by === 'student' ? 'byStudent' : row.by === 'teacher' ? 'byTeacher' : 'other';
    entry.allTime[side] += Number(row.count);
    entry.inPeriod[side] += Number(row.countInPeriod);
    canceled.set(row.linkId!, entry);
  }

  return links.map(({ link, student }) => {
    const c = canceled.get(link.id) ?? { allTime: noCancellations(), inPeriod: noCancellations() };
    const t = totals.get(link.id) ?? { view: noEvents(), booking: noEvents(), cancellation: noEvents() };
    const state = linkState(link, now);
    return {
      id: link.id,
      student,
      state: (state === 'active' && link.expiresAt - now <= EXPIRING_SOON_MS
        ? 'expiring_soon'
        : state) as LinkUsageState,
      createdAt: link.createdAt,
      expiresAt: link.expiresAt,
      revokedAt: link.revokedAt,
      maxUses: link.maxUses,
      allTime: {
        accessCount: t.view.allTime.count,
        lastAccessAt: t.view.allTime.last,
        bookings: t.booking.allTime.count,
        cancellations: c.allTime.byStudent + c.allTime.byTeacher + c.allTime.other,
        canceledByStudent: c.allTime.byStudent,
        canceledByTeacher: c.allTime.byTeacher,
        visitToBookingShare: visitToBookingShare(t.view.allTime.count, t.booking.allTime.count),
      },
      period: {
        accessCount: t.view.inPeriod.count,
        lastAccessAt: t.view.inPeriod.last,
        bookings: t.booking.inPeriod.count,
        cancellations: c.inPeriod.byStudent + c.inPeriod.byTeacher + c.inPeriod.other,
        canceledByStudent: c.inPeriod.byStudent,
        canceledByTeacher: c.inPeriod.byTeacher,
        visitToBookingShare: visitToBookingShare(t.view.inPeriod.count, t.booking.inPeriod.count),
      },
    };
  });
}
