/**
 * Which reminders are due at `now`: one row per (scheduled booking, teacher's offset) whose moment (start minus
 * offset) has come within the last REMINDER_WINDOW_MS, for a booking made before that moment and a session not
 * yet started. Read without a lock, and what it says was already sent only saves work: the insert in queue.ts
 * is what decides, under the reminders_sent key.
 */
import { sql } from 'drizzle-orm';
import { selectByName, type Db } from '../db.ts';
import { MAX_REMINDER_OFFSET_MINUTES } from '../../shared/reminder-offsets.ts';

const MINUTE = 60_000;

/**
 * How late a reminder may still be queued. A cron run missed (a deploy, an outage) is caught up by the next one
 * within this window; past it the reminder is dropped, so a long outage doesn't end in a flood of stale emails.
 */
export const REMINDER_WINDOW_MS = 2 * 60 * MINUTE;
/** Bounds one run's work; whatever is left is picked up by the next minute's run. */
export const REMINDERS_PER_RUN = 200;

export interface DueReminder {
  bookingId: string;
  startsAt: number;
  endsAt: number;
  subject: string;
  offsetMinutes: number;
  dueAt: number;
  teacherId: string;
  teacherName: string;
  teacherEmail: string;
  teacherTimeZone: string;
  remindTeacher: boolean;
  studentId: string;
  studentName: string;
  studentEmail: string;
  /** Set when the address bounced or complained: no reminder goes to it until the teacher corrects it. */
  studentEmailProblem: string | null;
  /** The booking's own zone, else the one the student gave with their availability, else the teacher's. */
  studentTimeZone: string;
  /** The student's newest working share link, sealed (share-links/tokens.ts), if any. */
  linkSealed: string | null;
  studentReminded: boolean;
  teacherReminded: boolean;
}

export async function dueReminders(db: Db, now: number): Promise<DueReminder[]> {
  const due = sql`(b.starts_at - o.value * ${MINUTE})`;
  const reminded = (recipient: 'student' | 'teacher') =>
    sql`EXISTS (SELECT 1 FROM reminders_sent r WHERE r.booking_id = b.id AND r.starts_at = b.starts_at
          AND r.offset_minutes = o.value AND r.recipient = ${recipient})`;
  const rows = await selectByName<
    Omit<DueReminder, 'remindTeacher' | 'studentReminded' | 'teacherReminded'> & {
      remindTeacher: number;
      studentReminded: number;
      teacherReminded: number;
    }
  >(
    db,
    sql`
    SELECT b.id AS bookingId, b.starts_at AS startsAt, b.ends_at AS endsAt, b.subject AS subject,
      o.value AS offsetMinutes, ${due} AS dueAt,
      t.id AS teacherId, t.display_name AS teacherName, tu.email AS teacherEmail, t.time_zone AS teacherTimeZone,
      t.remind_teacher AS remindTeacher,
      s.id AS studentId, s.name AS studentName, s.email AS studentEmail, s.email_problem AS studentEmailProblem,
      COALESCE(b.student_time_zone,
        (SELECT a.time_zone FROM availability a WHERE a.student_user_id = s.user_id),
        t.time_zone) AS studentTimeZone,
      (SELECT l.token_sealed FROM share_links l
        WHERE l.student_id = s.id AND l.revoked_at IS NULL AND l.expires_at > ${now}
        ORDER BY l.created_at DESC LIMIT 1) AS linkSealed,
      ${reminded('student')} AS studentReminded,
      ${reminded('teacher')} AS teacherReminded
    FROM bookings b
    JOIN teachers t ON t.id = b.teacher_id
    JOIN users tu ON tu.id = t.id
    JOIN students s ON s.id = b.student_id
    JOIN json_each(t.reminder_offsets_minutes) o
    WHERE b.status = 'scheduled'
      AND b.starts_at > ${now} AND b.starts_at <= ${now + MAX_REMINDER_OFFSET_MINUTES * MINUTE}
      AND ${due} <= ${now} AND ${due} > ${now - REMINDER_WINDOW_MS}
      AND b.scheduled_at < ${due}
      AND (NOT ${reminded('student')} OR (t.remind_teacher = 1 AND NOT ${reminded('teacher')}))
    ORDER BY ${due}
    LIMIT ${REMINDERS_PER_RUN}
  `,
  );
  return rows.map((r) => ({
    ...r,
    remindTeacher: r.remindTeacher === 1,
    studentReminded: r.studentReminded === 1,
    teacherReminded: r.teacherReminded === 1,
  }));
}
