/**
 * Queues the reminders due at `now` through the outbox, each (booking, start time, offset, recipient) at most
 * once however many cron runs overlap or retry. The database decides, in one batch: each reminder first inserts
 * its reminders_sent row with `ON CONFLICT DO NOTHING` (only while the booking is still scheduled at that start),
 * and its outbox row is inserted only if that reminders_sent row is the one carrying this outbox id. A run that
 * lost the race, or a booking cancelled since the read, writes nothing.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db.ts';
import { enqueueOutbox, outboxValues } from '../email/outbox.ts';
import { config, type Env } from '../env.ts';
import { openShareToken, shareUrl } from '../share-links/tokens.ts';
import type { SessionReminderPayload } from '../../emails/session-reminder.ts';
import { dueReminders, type DueReminder } from './due.ts';

type Recipient = 'student' | 'teacher';

/** Returns how many reminders this run queued. */
export async function queueDueReminders(env: Env, db: Db, now: number): Promise<number> {
  const due = await dueReminders(db, now);
  if (due.length === 0) return 0;
  const { APP_URL, SECRET_KEY } = config(env);
  const origin = new URL(APP_URL).origin;
  const statements: SQL[] = [];
  for (const r of due) {
    const base = {
      bookingId: r.bookingId,
      teacherName: r.teacherName,
      studentName: r.studentName,
      subject: r.subject,
      startsAt: r.startsAt,
      endsAt: r.endsAt,
      offsetMinutes: r.offsetMinutes,
    };
    // An address that bounced or complained gets nothing until the teacher corrects it.
    if (!r.studentReminded && !r.studentEmailProblem) {
      const portalUrl = r.linkSealed
        ? shareUrl(APP_URL, r.teacherId, await openShareToken(SECRET_KEY, r.linkSealed))
        : null;
      statements.push(
        ...(await reminderStatements(env, r, 'student', r.studentEmail, now, {
          ...base,
          audience: 'student',
          recipientName: r.studentName,
          timeZone: r.studentTimeZone,
          dashboardUrl: `${origin}/student`,
          portalUrl,
        })),
      );
    }
    if (r.remindTeacher && !r.teacherReminded)
      statements.push(
        ...(await reminderStatements(env, r, 'teacher', r.teacherEmail, now, {
          ...base,
          audience: 'teacher',
          recipientName: r.teacherName,
          timeZone: r.teacherTimeZone,
          dashboardUrl: `${origin}/teacher`,
          portalUrl: null,
        })),
      );
  }
  if (statements.length === 0) return 0;
  const [first, ...rest] = statements.map((statement) => db.all<{ outboxId: string }>(statement));
  const results = await db.batch([first!, ...rest]);
  // Only the reminders_sent inserts return rows: those that won.
  const queued = results.flat().map((row) => (row as { outboxId: string }).outboxId);
  await enqueueOutbox(env, queued, now);
  return queued.length;
}

async function reminderStatements(
  env: Env,
  r: DueReminder,
  recipient: Recipient,
  address: string,
  now: number,
  payload: SessionReminderPayload,
): Promise<SQL[]> {
  const row = await outboxValues(
    env,
    { recipient: address, template: 'session-reminder', payload, teacherId: r.teacherId, studentId: r.studentId },
    now,
  );
  return [
    sql`INSERT INTO reminders_sent (booking_id, starts_at, offset_minutes, recipient, outbox_id, due_at, created_at)
      SELECT id, starts_at, ${r.offsetMinutes}, ${recipient}, ${row.id}, ${r.dueAt}, ${now}
      FROM bookings WHERE id = ${r.bookingId} AND status = 'scheduled' AND starts_at = ${r.startsAt}
      ON CONFLICT DO NOTHING
      RETURNING outbox_id AS outboxId`,
    sql`INSERT INTO email_outbox (id, recipient, template, payload_sealed, status, attempts, next_attempt_at,
        teacher_id, student_id, created_at, updated_at)
      SELECT ${row.id}, ${row.recipient}, ${row.template}, ${row.payloadSealed}, ${row.status}, ${row.attempts},
        ${row.nextAttemptAt}, ${row.teacherId}, ${row.studentId}, ${row.createdAt}, ${row.updatedAt}
      WHERE EXISTS (SELECT 1 FROM reminders_sent WHERE outbox_id = ${row.id})`,
  ];
}
