/**
 * What happened at a session, as the teacher records it after it ended: `completed` or `no_show`. It can be
 * changed later; every record and change is an audit entry with what it was before.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { bookings, type Booking } from '../../db/schema.ts';
import { auditStatement, type AuditEntry } from '../audit.ts';
import type { Db } from '../db.ts';
import type { Env } from '../env.ts';
import { DomainError } from '../errors.ts';

export type Outcome = 'completed' | 'no_show';

export async function recordOutcome(
  env: Env,
  db: Db,
  input: {
    booking: Booking;
    outcome: Outcome;
    now: number;
    by: Pick<AuditEntry, 'actorType' | 'actorId' | 'ip' | 'userAgent'>;
  },
) {
  const { booking, outcome, now, by } = input;
  if (booking.status === 'canceled' || booking.status === 'rescheduled')
    throw new DomainError('booking_not_held', 409, 'This session was canceled or moved, so it has no outcome.');
  if (booking.endsAt > now)
    throw new DomainError('session_not_over', 409, 'You can record what happened once the session has ended.');
  const previous = booking.outcome;
  const audit = auditStatement(
    db,
    env,
    {
      ...by,
      action: previous ? 'booking.outcome_changed' : 'booking.outcome_recorded',
      targetType: 'booking',
      targetId: booking.id,
      teacherId: booking.teacherId,
      studentId: booking.studentId,
      details: { from: previous, to: outcome },
      changes: { outcome: { from: previous, to: outcome }, status: { from: booking.status, to: outcome } },
    },
    now,
  );
  const [updated] = await db.batch([
    db
      .update(bookings)
      .set({
        status: outcome,
        outcome,
        outcomeRecordedAt: now,
        outcomeRecordedBy: by.actorId ?? null,
        completedAt: outcome === 'completed' ? now : null,
      })
      .where(and(eq(bookings.id, booking.id), inArray(bookings.status, ['scheduled', 'completed', 'no_show'])))
      .returning({ id: bookings.id, outcome: bookings.outcome, outcomeRecordedAt: bookings.outcomeRecordedAt }),
    audit,
  ]);
  if (updated.length === 0)
    throw new DomainError('booking_not_held', 409, 'This session was canceled or moved, so it has no outcome.');
  return { booking: { id: booking.id, outcome, previous, recordedAt: now } };
}
