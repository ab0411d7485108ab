/**
 * Booking patterns for one teacher over a period (DESIGN.md "Teacher analytics" has the definitions): counts
 * against the previous period, peak times, lead time, subjects, active and inactive students, emails and new
 * students. Every read is in one batch; the arithmetic is in patterns.ts.
 */
import { and, eq, gte, lt, or, sql } from 'drizzle-orm';
import { bookings, emailOutbox, linkEvents, shareLinks, students } from '../../db/schema.ts';
import type { Db } from '../db.ts';
import { inPeriod, previousPeriod, type Period } from './period.ts';
import { dailyTrend, leadTimes, weekHourGrid, withChange } from './patterns.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** A student with no visit to their link and no booking in this many days before the period's end is inactive. */
export const INACTIVE_AFTER_DAYS = 30;

type BookingRow = Pick<
  typeof bookings.$inferSelect,
  'status' | 'startsAt' | 'scheduledAt' | 'canceledAt' | 'canceledBy' | 'subject' | 'rescheduledFromBookingId'
>;

/** Sessions that took or will take place: not canceled, not moved away. */
const HELD = new Set(['scheduled', 'completed', 'no_show']);

function counts(rows: BookingRow[], period: Period) {
  const created = rows.filter((b) => !b.rescheduledFromBookingId && inPeriod(b.scheduledAt, period));
  const canceled = rows.filter((b) => inPeriod(b.canceledAt, period));
  const sessions = rows.filter((b) => inPeriod(b.startsAt, period));
  return {
    created,
    heldSessions: sessions.filter((b) => HELD.has(b.status)),
    figures: {
      created: created.length,
      canceledByStudent: canceled.filter((b) => b.canceledBy === 'student').length,
      canceledByTeacher: canceled.filter((b) => b.canceledBy === 'teacher').length,
      rescheduled: rows.filter((b) => b.rescheduledFromBookingId && inPeriod(b.scheduledAt, period)).length,
      completed: sessions.filter((b) => b.status === 'completed').length,
      noShow: sessions.filter((b) => b.status === 'no_show').length,
    },
  };
}

export async function bookingSummary(db: Db, teacherId: string, period: Period, now: number) {
  const previous = previousPeriod(period);
  const from = previous.startMs;
  const to = period.endMs;
  /** Activity is judged at the period's end, or now for a period that isn't over. */
  const activityAsOf = Math.min(now, period.endMs);

  const [bookingRows, roster, lastViews, lastBookings, firstBookings, emails] = await db.batch([
    db
      .select({
        status: bookings.status,
        startsAt: bookings.startsAt,
        scheduledAt: bookings.scheduledAt,
        canceledAt: bookings.canceledAt,
        canceledBy: bookings.canceledBy,
        subject: bookings.subject,
        rescheduledFromBookingId: bookings.rescheduledFromBookingId,
      })
      .from(bookings)
      .where(
        and(
          eq(bookings.teacherId, teacherId),
          or(
            and(gte(bookings.scheduledAt, from), lt(bookings.scheduledAt, to)),
            and(gte(bookings.startsAt, from), lt(bookings.startsAt, to)),
            and(gte(bookings.canceledAt, from), lt(bookings.canceledAt, to)),
          ),
        ),
      ),
    db
      .select({ id: students.id, name: students.name, color: students.color })
      .from(students)
      .where(eq(students.teacherId, teacherId))
      .orderBy(students.name),
    db
      .select({ studentId: shareLinks.studentId, last: sql<number>`max(${linkEvents.at})` })
      .from(linkEvents)
      .innerJoin(shareLinks, eq(shareLinks.id, linkEvents.shareLinkId))
      .where(and(eq(linkEvents.teacherId, teacherId), eq(linkEvents.kind, 'view'), lt(linkEvents.at, activityAsOf)))
      .groupBy(shareLinks.studentId),
    db
      .select({ studentId: bookings.studentId, last: sql<number>`max(${bookings.scheduledAt})` })
      .from(bookings)
      .where(and(eq(bookings.teacherId, teacherId), lt(bookings.scheduledAt, activityAsOf)))
      .groupBy(bookings.studentId),
    db
      .select({ studentId: bookings.studentId, first: sql<number>`min(${bookings.scheduledAt})` })
      .from(bookings)
      .where(eq(bookings.teacherId, teacherId))
      .groupBy(bookings.studentId),
    db
      .select({ status: emailOutbox.status, count: sql<number>`count(*)` })
      .from(emailOutbox)
      .where(
        and(
          eq(emailOutbox.teacherId, teacherId),
          gte(emailOutbox.createdAt, period.startMs),
          lt(emailOutbox.createdAt, period.endMs),
        ),
      )
      .groupBy(emailOutbox.status),
  ]);

  const current = counts(bookingRows, period);
  const before = counts(bookingRows, previous);
  const change = Object.fromEntries(
    Object.entries(current.figures).map(([key, value]) => [
      key,
      withChange(value, before.figures[key as keyof typeof before.figures]),
    ]),
  ) as Record<keyof typeof current.figures, ReturnType<typeof withChange>>;

  const subjects = new Map<string, number>();
  for (const b of current.created) subjects.set(b.subject.trim(), (subjects.get(b.subject.trim()) ?? 0) + 1);

  const lastActivity = new Map<string, number>();
  for (const { studentId, last } of [...lastViews, ...lastBookings]) {
    if (studentId) lastActivity.set(studentId, Math.max(Number(last), lastActivity.get(studentId) ?? 0));
  }
  const activeSince = activityAsOf - INACTIVE_AFTER_DAYS * DAY_MS;
  const withActivity = roster.map((s) => ({ ...s, lastActivityAt: lastActivity.get(s.id) ?? null }));
  const inactive = withActivity
    .filter((s) => s.lastActivityAt === null || s.lastActivityAt < activeSince)
    .sort((a, b) => (a.lastActivityAt ?? 0) - (b.lastActivityAt ?? 0) || a.name.localeCompare(b.name));

  const emailCount = (...statuses: string[]) =>
    emails.filter((e) => statuses.includes(e.status)).reduce((sum, e) => sum + Number(e.count), 0);
  const firsts = firstBookings.filter((f) => f.studentId !== null).map((f) => Number(f.first));

  return {
    period,
    previousPeriod: { from: previous.from, to: previous.to },
    bookings: change,
    newStudents: withChange(
      firsts.filter((at) => inPeriod(at, period)).length,
      firsts.filter((at) => inPeriod(at, previous)).length,
    ),
    peakTimes: {
      sessions: weekHourGrid(
        current.heldSessions.map((b) => b.startsAt),
        period.timeZone,
      ),
      bookedAt: weekHourGrid(
        current.created.map((b) => b.scheduledAt),
        period.timeZone,
      ),
    },
    leadTime: leadTimes(current.created.map((b) => b.startsAt - b.scheduledAt)),
    trend: dailyTrend(period, {
      created: current.created.map((b) => b.scheduledAt),
      canceled: bookingRows.filter((b) => inPeriod(b.canceledAt, period)).map((b) => b.canceledAt!),
      sessions: current.heldSessions.map((b) => b.startsAt),
    }),
    subjects: [...subjects]
      .map(([subject, count]) => ({ subject: subject || null, bookings: count }))
      .sort((a, b) => b.bookings - a.bookings || (a.subject ?? '').localeCompare(b.subject ?? '')),
    students: {
      asOf: activityAsOf,
      inactiveAfterDays: INACTIVE_AFTER_DAYS,
      total: roster.length,
      active: roster.length - inactive.length,
      inactive: inactive.length,
      inactiveStudents: inactive,
    },
    emails: {
      sent: emailCount('sent', 'bounced', 'complained'),
      failed: emailCount('failed'),
      bounced: emailCount('bounced'),
      complained: emailCount('complained'),
      pending: emailCount('queued', 'sending'),
    },
  };
}
