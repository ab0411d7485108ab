/** Writing slots: one batch per change (slots + version bump + audit), then a live event. */
import { and, eq, gt, inArray, lt, ne } from 'drizzle-orm';
import { slots, type Teacher } from '../../db/schema.ts';
import { auditStatement } from '../audit.ts';
import { newId } from '../crypto/random.ts';
import { isConstraintError, type Db } from '../db.ts';
import type { Env } from '../env.ts';
import { DomainError } from '../errors.ts';
import { publishCalendarEvent } from '../live/publish.ts';
import type { SlotView } from '../../shared/live-protocol.ts';
import { formatSlotTime } from '../../shared/slot-time.ts';
import type { SessionGuard } from '../auth/session-cache.ts';
import { findConflicts } from './overlap.ts';
import type { Interval } from './recurrence.ts';
import { teacherSlotView } from './slot-views.ts';
import { bumpVersion } from './version.ts';

const formatRange = (i: Interval, timeZone: string) =>
  formatSlotTime(i.startsAt, i.endsAt, { timeZone, locale: 'en-GB' });

function overlapError(conflicts: Interval[], teacher: Teacher): DomainError {
  const shown = conflicts
    .slice(0, 3)
    .map((c) => formatRange(c, teacher.timeZone))
    .join(', ');
  const more = conflicts.length > 3 ? ` and ${conflicts.length - 3} more` : '';
  const buffer = teacher.bufferMinutes ? ` (including your ${teacher.bufferMinutes}-minute buffer)` : '';
  return new DomainError(
    'slot_overlap',
    409,
    `These times overlap slots you already have${buffer}: ${shown}${more}. Nothing was created.`,
    {
      details: { conflicts: conflicts.map(({ startsAt, endsAt }) => ({ startsAt, endsAt })) },
    },
  );
}

export async function createSlots(
  env: Env,
  db: Db,
  teacher: Teacher,
  input: { intervals: Interval[]; subject: string; seriesId: string | null },
  now: number,
  /** The session check to open the batch with, when the session wasn't validated before (session-cache.ts). */
  guard: SessionGuard | null = null,
): Promise<{ slots: SlotView[]; version: number }> {
  const { intervals } = input;
  if (intervals.length === 0) throw new DomainError('no_occurrences', 400, 'These settings produce no future slots.');
  const selfConflicts = findConflicts(intervals, [], teacher.bufferMinutes);
  if (selfConflicts.length > 0) throw overlapError(selfConflicts, teacher);
  const rows = intervals.map((i) => ({
    id: newId(),
    teacherId: teacher.id,
    startsAt: i.startsAt,
    endsAt: i.endsAt,
    subject: input.subject,
    status: 'open' as const,
    seriesId: input.seriesId,
    createdAt: now,
    updatedAt: now,
  }));
  const audit = auditStatement(
    db,
    env,
    {
      actorType: 'teacher',
      actorId: teacher.id,
      action: 'slots.created',
      targetType: 'teacher',
      targetId: teacher.id,
      teacherId: teacher.id,
      details: {
        count: rows.length,
        seriesId: input.seriesId,
        firstStartsAt: Math.min(...rows.map((r) => r.startsAt)),
        lastStartsAt: Math.max(...rows.map((r) => r.startsAt)),
      },
    },
    now,
  );
  let version: number;
  try {
    const [bumped] = await db.batch([
      bumpVersion(db, teacher.id),
      ...(guard ? [guard] : []),
      db.insert(slots).values(rows),
      audit,
    ]);
    version = (bumped as { version: number }[])[0]!.version;
  } catch (error) {
    // The trigger in migration 0001 refused the batch, so nothing was written. Only now look up which
    // existing slots are in the way, to say so precisely: the common path costs no extra round trip.
    if (isConstraintError(error, 'SLOT_OVERLAP'))
      throw overlapError(await conflictingIntervals(db, teacher, intervals), teacher);
    throw error;
  }
  const views = rows.map((r) => teacherSlotView(r));
  await publishCalendarEvent(env, teacher.id, { version, kind: 'slots.upserted', slots: views, at: now });
  return { slots: views, version };
}

async function conflictingIntervals(db: Db, teacher: Teacher, intervals: Interval[]): Promise<Interval[]> {
  const margin = teacher.bufferMinutes * 60_000;
  const first = Math.min(...intervals.map((i) => i.startsAt));
  const last = Math.max(...intervals.map((i) => i.endsAt));
  const existing = await db
    .select({ startsAt: slots.startsAt, endsAt: slots.endsAt })
    .from(slots)
    .where(
      and(
        eq(slots.teacherId, teacher.id),
        ne(slots.status, 'canceled'),
        lt(slots.startsAt, last + margin),
        gt(slots.endsAt, first - margin),
      ),
    );
  const conflicts = findConflicts(intervals, existing, teacher.bufferMinutes);
  return conflicts.length > 0 ? conflicts : intervals;
}

export async function cancelOpenSlots(env: Env, db: Db, teacher: Teacher, slotIds: string[], now: number) {
  const found = await db
    .select({ id: slots.id, status: slots.status })
    .from(slots)
    .where(and(eq(slots.teacherId, teacher.id), inArray(slots.id, slotIds)));
  const open = found.filter((s) => s.status === 'open').map((s) => s.id);
  if (found.length === 0) throw new DomainError('not_found', 404, 'No such slot.');
  if (open.length === 0) {
    const booked = found.some((s) => s.status === 'booked');
    if (booked) throw new DomainError('slot_booked', 409, 'This slot is booked. Cancel the booking first.');
    return { canceled: [] as string[], version: null };
  }
  const audit = auditStatement(
    db,
    env,
    {
      actorType: 'teacher',
      actorId: teacher.id,
      action: 'slots.canceled',
      targetType: 'teacher',
      targetId: teacher.id,
      teacherId: teacher.id,
      details: { count: open.length, slotIds: open.slice(0, 50) },
    },
    now,
  );
  const [canceledRows, bumped] = await db.batch([
    // `status = 'open'` again: a slot booked since the read above stays booked.
    db
      .update(slots)
      .set({ status: 'canceled', updatedAt: now })
      .where(and(eq(slots.teacherId, teacher.id), inArray(slots.id, open), eq(slots.status, 'open')))
      .returning(),
    bumpVersion(db, teacher.id),
    audit,
  ]);
  const version = bumped[0]!.version;
  await publishCalendarEvent(env, teacher.id, {
    version,
    kind: 'slots.removed',
    slots: canceledRows.map((r) => teacherSlotView(r)),
    at: now,
  });
  return { canceled: canceledRows.map((r) => r.id), version };
}
