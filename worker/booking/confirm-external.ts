/**
 * A booking another system has already confirmed (a website form, a webhook), arriving with a teacher's API
 * key. It lands on the teacher's calendar like a portal booking: the slot at that exact time is claimed, or
 * created when there is none; the student is enrolled and gets an account, the confirmation email and the
 * first-access link; watchers see it live. The caller's external id makes a retry safe: the same request
 * again answers with the same booking and sends nothing.
 */
import { and, eq, ne, sql } from 'drizzle-orm';
import { apiKeys, bookings, slots, students, type Teacher } from '../../db/schema.ts';
import { auditStatement } from '../audit.ts';
import { bumpVersion } from '../calendar/version.ts';
import { teacherSlotView } from '../calendar/slot-views.ts';
import { newId } from '../crypto/random.ts';
import { isConstraintError, type Db } from '../db.ts';
import { enqueueOutbox } from '../email/outbox.ts';
import type { Env } from '../env.ts';
import { DomainError } from '../errors.ts';
import { publishCalendarEvent } from '../live/publish.ts';
import { nextStudentColor } from '../students/colors.ts';
import { provisionStudentAccount } from './provision.ts';

export interface ExternalBooking {
  email: string;
  name: string;
  startsAt: number;
  endsAt: number;
  subject: string;
  externalId: string;
  /** The student's time zone, for the email; the teacher's when not given. */
  timeZone?: string;
}

interface Caller {
  apiKeyId: string;
  ip: string;
  userAgent?: string;
}

type ConfirmedBookingView = NonNullable<Awaited<ReturnType<typeof findByExternalId>>>;

/** The booking a previous call made with this external id, in the shape the API answers with. */
async function findByExternalId(db: Db, teacherId: string, externalId: string) {
  const [row] = await db
    .select({
      booking: bookings,
      student: { id: students.id, name: students.name, email: students.email },
    })
    .from(bookings)
    .leftJoin(students, eq(students.id, bookings.studentId))
    .where(and(eq(bookings.teacherId, teacherId), eq(bookings.externalId, externalId)))
    .limit(1);
  if (!row) return null;
  const { booking, student } = row;
  return {
    id: booking.id,
    externalId,
    status: booking.status,
    slotId: booking.slotId,
    startsAt: booking.startsAt,
    endsAt: booking.endsAt,
    subject: booking.subject,
    student,
  };
}

/** A retry must describe the same booking; anything else reusing the id is a caller's bug worth a clear 409. */
function replayOrConflict(existing: ConfirmedBookingView, input: ExternalBooking) {
  const same =
    existing.startsAt === input.startsAt && existing.endsAt === input.endsAt && existing.student?.email === input.email;
  if (!same) {
    throw new DomainError(
      'external_id_reused',
      409,
      `The external id "${input.externalId}" was already used for a different booking (another time or student). Use a new id for a new booking.`,
      {
        details: { bookingId: existing.id },
      },
    );
  }
  return { booking: existing, replayed: true as const };
}

const slotTaken = () => new DomainError('slot_taken', 409, 'This time is already booked on the teacher’s calendar.');
const slotOverlap = () =>
  new DomainError(
    'slot_overlap',
    409,
    'This time overlaps another slot on the teacher’s calendar (buffer included). Nothing was booked.',
  );

export async function confirmExternalBooking(
  env: Env,
  db: Db,
  teacher: Teacher,
  input: ExternalBooking,
  now: number,
  caller: Caller,
) {
  const earlier = await findByExternalId(db, teacher.id, input.externalId);
  if (earlier) return replayOrConflict(earlier, input);
  if (input.startsAt <= now) throw new DomainError('slot_past', 409, 'This time has already passed.');

  const [[sameTime], enrolled] = await Promise.all([
    db
      .select()
      .from(slots)
      .where(
        and(
          eq(slots.teacherId, teacher.id),
          eq(slots.startsAt, input.startsAt),
          eq(slots.endsAt, input.endsAt),
          ne(slots.status, 'canceled'),
        ),
      )
      .limit(1),
    db
      .select({ id: students.id, email: students.email, name: students.name, color: students.color })
      .from(students)
      .where(eq(students.teacherId, teacher.id)),
  ]);
  if (sameTime?.status === 'booked') throw slotTaken();
  const slot = sameTime ?? {
    id: newId(),
    teacherId: teacher.id,
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    subject: input.subject,
    status: 'open' as const,
    seriesId: null,
    createdAt: now,
    updatedAt: now,
  };
  const known = enrolled.find((s) => s.email === input.email);
  const student = known ?? {
    id: newId(),
    email: input.email,
    name: input.name,
    color: nextStudentColor(enrolled.map((s) => s.color)),
  };
  // A subquery, so a student enrolled a moment ago by a concurrent call is the one this booking uses.
  const studentId = sql`(SELECT ${students.id} FROM ${students} WHERE ${students.teacherId} = ${teacher.id} AND ${students.email} = ${input.email})`;
  const booking = {
    id: newId(),
    slotId: slot.id,
    teacherId: teacher.id,
    status: 'scheduled' as const,
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    subject: input.subject || slot.subject,
    scheduledAt: now,
    source: 'api' as const,
    externalId: input.externalId,
    studentTimeZone: input.timeZone ?? null,
  };
  const account = await provisionStudentAccount(env, db, {
    teacher,
    studentId,
    studentRowId: student.id,
    student: { email: input.email, name: student.name },
    booking,
    timeZone: input.timeZone,
    now,
  });
  const by = { actorType: 'api_key', actorId: caller.apiKeyId, ip: caller.ip, userAgent: caller.userAgent } as const;
  const audit = auditStatement(
    db,
    env,
    {
      ...by,
      action: 'booking.created',
      targetType: 'booking',
      targetId: booking.id,
      teacherId: teacher.id,
      studentId,
      details: account.auditDetails({
        slotId: slot.id,
        startsAt: slot.startsAt,
        subject: slot.subject,
        newSlot: !sameTime,
        newStudent: !known,
      }),
    },
    now,
  );

  let version: number;
  let outcome: ReturnType<typeof account.outcome>;
  try {
    const [bumped, created] = await db.batch([
      bumpVersion(db, teacher.id),
      account.createUser,
      ...(sameTime ? [] : [db.insert(slots).values(slot)]),
      db
        .insert(students)
        .values({
          id: student.id,
          teacherId: teacher.id,
          email: input.email,
          name: student.name,
          color: student.color,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing(),
      db.insert(bookings).values({ ...booking, studentId, studentUserId: account.userId }),
      account.linkStudent,
      account.storeAccessToken,
      ...account.queueEmails,
      audit,
      account.auditAccountCreated(by),
      db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, caller.apiKeyId)),
    ]);
    version = (bumped as { version: number }[])[0]!.version;
    outcome = account.outcome(created as unknown[]);
  } catch (error) {
    // The same external id sent twice at once: the other call won (its new slot may be what refused ours);
    // answer as a retry would be answered.
    const winner = await findByExternalId(db, teacher.id, input.externalId);
    if (winner) return replayOrConflict(winner, input);
    if (
      isConstraintError(error, 'SLOT_TAKEN') ||
      isConstraintError(error, 'UNIQUE constraint failed: bookings.slot_id')
    )
      throw slotTaken();
    if (isConstraintError(error, 'SLOT_OVERLAP')) throw slotOverlap();
    throw error;
  }
  await enqueueOutbox(env, outcome.emailIds, now);
  await publishCalendarEvent(env, teacher.id, {
    version,
    kind: 'slots.upserted',
    slots: [
      teacherSlotView(
        { ...slot, status: 'booked' },
        { id: booking.id, studentId: student.id, studentName: student.name, studentColor: student.color },
      ),
    ],
    at: now,
  });
  return {
    booking: {
      id: booking.id,
      externalId: input.externalId,
      status: booking.status,
      slotId: slot.id,
      startsAt: booking.startsAt,
      endsAt: booking.endsAt,
      subject: booking.subject,
      // No word on whether the address already had a Slotcast account: the caller is a teacher, and that is
      // the student's to tell (DESIGN.md "Who sees a student's availability").
      student: { id: student.id, name: student.name, email: input.email },
    },
    replayed: false as const,
  };
}
