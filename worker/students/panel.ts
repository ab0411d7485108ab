/**
 * The teacher's student panel: every student with their newest link and its numbers, the bookings made through
 * it, the next session, the last sign of life, the last email and the availability they share, read in ONE
 * round trip (a batch of two reads), however many students there are. No per-student query leaves the Worker.
 */
import { desc, eq, sql } from 'drizzle-orm';
import { shareLinks, students } from '../../db/schema.ts';
import { isExpiringSoon, isInactive } from '../../shared/student-panel.ts';
import type { Db } from '../db.ts';
import { config, type Env } from '../env.ts';
import { linkView } from '../share-links/view.ts';
import { sharedAvailabilityByStudent, sharedAvailabilityQuery } from './sharing.ts';

interface LastEmail {
  template: string;
  status: string;
  attempts: number;
  lastError: string | null;
  sentAt: number | null;
  at: number;
}

/**
 * The per-student figures, as correlated subqueries on indexed columns (bookings by student, links by student,
 * outbox by student), so the database does the work once per student inside one statement.
 */
function panelQuery(db: Db, teacherId: string, now: number) {
  const newestLinkId = sql`(SELECT l.id FROM share_links l WHERE l.student_id = ${students.id} ORDER BY l.created_at DESC LIMIT 1)`;
  return db
    .select({
      student: students,
      link: shareLinks,
      // Bookings made through the newest link that still stand or took place (a canceled one gave its use back).
      linkBookings: sql<number>`(SELECT count(*) FROM bookings b WHERE b.student_id = ${students.id} AND b.share_link_id = ${shareLinks.id} AND b.status <> 'canceled')`,
      nextSessionAt: sql<
        number | null
      >`(SELECT min(b.starts_at) FROM bookings b WHERE b.student_id = ${students.id} AND b.status = 'scheduled' AND b.starts_at > ${now})`,
      lastVisitAt: sql<
        number | null
      >`(SELECT max(l.last_accessed_at) FROM share_links l WHERE l.student_id = ${students.id})`,
      lastBookedAt: sql<
        number | null
      >`(SELECT max(b.scheduled_at) FROM bookings b WHERE b.student_id = ${students.id})`,
      // The newest email about the student (not the teacher's own booking notices), so a failure shows beside them.
      lastEmail: sql<
        string | null
      >`(SELECT json_object('template', o.template, 'status', o.status, 'attempts', o.attempts, 'lastError', o.last_error, 'sentAt', o.sent_at, 'at', o.created_at) FROM email_outbox o WHERE o.student_id = ${students.id} AND o.teacher_id = ${teacherId} AND o.template <> 'booking-notice' ORDER BY o.created_at DESC LIMIT 1)`,
    })
    .from(students)
    .leftJoin(shareLinks, eq(shareLinks.id, newestLinkId))
    .where(eq(students.teacherId, teacherId))
    .orderBy(students.name, desc(students.createdAt));
}

/** A bounce or complaint reported for the student's address (students/email-problems.ts), for the teacher. */
function emailProblemView(s: typeof students.$inferSelect) {
  return s.emailProblem ? { kind: s.emailProblem, reason: s.emailProblemReason ?? '', at: s.emailProblemAt } : null;
}

/** Every student of the teacher as a panel row, by name. */
export async function studentPanel(env: Env, db: Db, teacherId: string, now: number) {
  const [rows, shared] = await db.batch([panelQuery(db, teacherId, now), sharedAvailabilityQuery(db, teacherId)]);
  const availability = sharedAvailabilityByStudent(shared);
  const { SECRET_KEY, APP_URL } = config(env);
  return Promise.all(
    rows.map(async ({ student: s, link, linkBookings, nextSessionAt, lastVisitAt, lastBookedAt, lastEmail }) => {
      const view = link ? await linkView(SECRET_KEY, APP_URL, link, now) : null;
      return {
        id: s.id,
        name: s.name,
        email: s.email,
        color: s.color,
        // Nothing here says whether the address has a Slotcast account (no flag, nothing taken from the
        // account): only what the teacher entered, and what the student chose to share with this teacher.
        link: view ? { ...view, bookings: Number(linkBookings), expiringSoon: isExpiringSoon(view, now) } : null,
        nextSessionAt: nextSessionAt === null ? null : Number(nextSessionAt),
        lastVisitAt: lastVisitAt === null ? null : Number(lastVisitAt),
        lastBookedAt: lastBookedAt === null ? null : Number(lastBookedAt),
        inactive: isInactive(lastVisitAt, lastBookedAt, now),
        lastEmail: lastEmail ? (JSON.parse(lastEmail) as LastEmail) : null,
        emailProblem: emailProblemView(s),
        availability: availability.get(s.id) ?? null,
      };
    }),
  );
}

export type PanelRow = Awaited<ReturnType<typeof studentPanel>>[number];
