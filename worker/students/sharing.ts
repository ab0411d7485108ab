/**
 * The one rule for what a teacher learns about a student beyond what the teacher typed in themselves (a name and
 * an address): a teacher sees the student's availability, notes and preferences only while the student shares
 * them with that teacher (DESIGN.md "Who sees a student's availability"). Every read that gives a teacher any of
 * them goes through `sharedAvailabilityQuery`; nothing else in the Worker reads the `availability` table for a
 * teacher (checked by sharing.test.ts).
 *
 * Sharing starts in one of two ways: the student ticks the teacher on their dashboard, or a portal booking
 * that demonstrably comes from the student (`grantOnPortalBooking`). It never starts from anything a teacher
 * can do alone: enrolling an address, confirming a booking with an API key, or booking through their own link.
 */
import { and, eq, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import { availability, availabilityShares, students, teachers, users } from '../../db/schema.ts';
import { auditStatement, changesBetween } from '../audit.ts';
import type { Db } from '../db.ts';
import { statementTemplate } from '../db-template.ts';
import type { Env } from '../env.ts';
import { notFound } from '../errors.ts';

/**
 * The account an enrolment refers to: the one a booking linked it to, else the account with the enrolled
 * address. Both sides (the teacher's list and the student's dashboard) resolve enrolments this same way, so
 * the teachers a student sees listed are exactly the ones their choices apply to.
 */
const enrolledUserId = sql`coalesce(${students.userId}, (SELECT ${users.id} FROM ${users} WHERE ${users.email} = ${students.email}))`;

/** What a teacher is shown of a student who shares with them. */
export interface SharedAvailability {
  timeZone: string;
  weeklyRanges: (typeof availability.$inferSelect)['weeklyRanges'];
  notes: string;
  preferences: string;
  updatedAt: number;
}

/**
 * The availability, notes and preferences of the teacher's students who share them with this teacher. A student
 * who doesn't share, or has no account, is simply absent: the answer is the same whether or not an address has
 * a Slotcast account. A query, so the student panel sends it in one batch with its own read.
 */
export function sharedAvailabilityQuery(db: Db, teacherId: string) {
  return db
    .select({
      studentId: students.id,
      timeZone: availability.timeZone,
      weeklyRanges: availability.weeklyRanges,
      notes: availability.notes,
      preferences: availability.preferences,
      updatedAt: availability.updatedAt,
    })
    .from(students)
    .innerJoin(
      availabilityShares,
      and(
        eq(availabilityShares.teacherId, students.teacherId),
        eq(availabilityShares.studentUserId, enrolledUserId),
        isNull(availabilityShares.revokedAt),
      ),
    )
    .innerJoin(availability, eq(availability.studentUserId, availabilityShares.studentUserId))
    .where(eq(students.teacherId, teacherId));
}

/** The rows of `sharedAvailabilityQuery`, by enrolment id. */
export function sharedAvailabilityByStudent(
  rows: Awaited<ReturnType<typeof sharedAvailabilityQuery>>,
): Map<string, SharedAvailability> {
  return new Map(rows.map(({ studentId, ...shared }) => [studentId, shared]));
}

/**
 * The statement a portal booking's batch ends with: the student shares with the teacher they booked, unless
 * they decided otherwise before (a stopped share stays stopped; an existing share keeps its origin). A share
 * link is the teacher's too, so a booking through it proves nothing about who booked; it shares only when it
 * comes from the student: the booker is signed in as the student's account, or the booking made the account
 * (which has nothing to see yet, and whose owner fills in their availability next to the list of teachers
 * who would see it). Runs after the account's insert, in the same batch.
 */
export function grantOnPortalBooking(
  db: Db,
  input: { teacherId: string; studentEmail: string; bookingId: string; signedInUserId: string | null; now: number },
) {
  const { signedInUserId, ...values } = input;
  return signedInUserId ? grantIfMadeOrSignedIn(db, { ...values, signedInUserId }) : grantIfMade(db, values);
}

type GrantValues = { teacherId: string; studentEmail: string; bookingId: string; now: number };

/** The grant, from the account with the student's address, if `bookedByTheStudent` holds of it; built once. */
const grantTemplate = <V extends GrantValues>(bookedByTheStudent: (values: V) => SQL | undefined) =>
  statementTemplate((db, p: V) =>
    db
      .insert(availabilityShares)
      .select(
        db
          .select({
            studentUserId: users.id,
            teacherId: sql<string>`${p.teacherId}`.as('teacher_id'),
            source: sql<'portal_booking'>`'portal_booking'`.as('source'),
            grantedAt: sql<number>`${p.now}`.as('granted_at'),
            revokedAt: sql<null>`NULL`.as('revoked_at'),
          })
          .from(users)
          .where(and(eq(users.email, p.studentEmail), bookedByTheStudent(p))),
      )
      .onConflictDoNothing(),
  );
const grantIfMade = grantTemplate((p: GrantValues) => eq(users.createdFromBookingId, p.bookingId));
const grantIfMadeOrSignedIn = grantTemplate((p: GrantValues & { signedInUserId: string }) =>
  or(eq(users.createdFromBookingId, p.bookingId), eq(users.id, p.signedInUserId)),
);

/** Every teacher who has the student's address, and what each can see. */
export async function sharingOverview(db: Db, userId: string) {
  const rows = await db
    .select({
      teacherId: teachers.id,
      teacherName: teachers.displayName,
      enrolledAs: students.name,
      source: availabilityShares.source,
      grantedAt: availabilityShares.grantedAt,
      revokedAt: availabilityShares.revokedAt,
    })
    .from(students)
    .innerJoin(teachers, eq(teachers.id, students.teacherId))
    .leftJoin(
      availabilityShares,
      and(eq(availabilityShares.teacherId, students.teacherId), eq(availabilityShares.studentUserId, userId)),
    )
    .where(sql`${enrolledUserId} = ${userId}`)
    .orderBy(teachers.displayName, teachers.id);
  const seen = new Set<string>();
  return rows.flatMap((row) => {
    if (seen.has(row.teacherId)) return [];
    seen.add(row.teacherId);
    const sharing = row.grantedAt !== null && row.revokedAt === null;
    return [
      {
        teacher: { id: row.teacherId, name: row.teacherName },
        /** The name this teacher gave the student (what they already know). */
        enrolledAs: row.enrolledAs,
        sharing,
        /** Why it is shared: a booking the student made through the teacher's link, or the student's tick. */
        since: sharing ? { at: row.grantedAt!, source: row.source! } : null,
        canSee: { availability: sharing, notes: sharing, preferences: sharing },
      },
    ];
  });
}

/** The student's tick on the dashboard: start or stop sharing with one teacher who has their address. */
export async function setSharing(
  env: Env,
  db: Db,
  input: { userId: string; teacherId: string; share: boolean; ip: string; userAgent?: string },
  now: number,
) {
  const [enrolled] = await db
    .select({ id: students.id })
    .from(students)
    .where(and(eq(students.teacherId, input.teacherId), sql`${enrolledUserId} = ${input.userId}`))
    .limit(1);
  // A teacher who doesn't have the student's address isn't someone they can share with (nor learn about).
  if (!enrolled) throw notFound('No such teacher.');
  const audit = auditStatement(
    db,
    env,
    {
      actorType: 'student',
      actorId: input.userId,
      action: input.share ? 'availability.shared' : 'availability.unshared',
      targetType: 'teacher',
      targetId: input.teacherId,
      teacherId: input.teacherId,
      studentId: enrolled.id,
      ip: input.ip,
      userAgent: input.userAgent,
    },
    now,
  );
  const key = { studentUserId: input.userId, teacherId: input.teacherId };
  await db.batch([shareStatement(db, key, input.share, now), audit]);
}

function shareStatement(db: Db, key: { studentUserId: string; teacherId: string }, share: boolean, now: number) {
  const insert = db.insert(availabilityShares).values({
    ...key,
    source: 'student_choice',
    grantedAt: now,
    revokedAt: share ? null : now,
  });
  const target = [availabilityShares.studentUserId, availabilityShares.teacherId];
  return share
    ? // Sharing again after stopping is the student's choice now; an unbroken share keeps its origin and date.
      insert.onConflictDoUpdate({
        target,
        set: { source: 'student_choice', grantedAt: now, revokedAt: null },
        setWhere: isNotNull(availabilityShares.revokedAt),
      })
    : insert.onConflictDoUpdate({
        target,
        set: { revokedAt: now },
        setWhere: isNull(availabilityShares.revokedAt),
      });
}

export type AvailabilityValues = Omit<typeof availability.$inferInsert, 'studentUserId'> & { updatedAt: number };

/**
 * The student saves their availability (upsert by account). Each teacher the student shares with at that moment
 * gets an `availability.updated` entry in their trail with the old and new values (which that teacher may see
 * anyway); a teacher not shared with gets nothing, so the trail is no second door to the availability.
 */
export async function saveAvailability(env: Env, db: Db, userId: string, values: AvailabilityValues, now: number) {
  const [[previous], sharedWith] = await db.batch([
    db.select().from(availability).where(eq(availability.studentUserId, userId)),
    db
      .select({ teacherId: students.teacherId, studentId: students.id })
      .from(students)
      .innerJoin(
        availabilityShares,
        and(
          eq(availabilityShares.teacherId, students.teacherId),
          eq(availabilityShares.studentUserId, userId),
          isNull(availabilityShares.revokedAt),
        ),
      )
      .where(sql`${enrolledUserId} = ${userId}`),
  ]);
  const { updatedAt: _at, ...next } = values;
  const changes = changesBetween(
    previous
      ? {
          timeZone: previous.timeZone,
          weeklyRanges: previous.weeklyRanges,
          notes: previous.notes,
          preferences: previous.preferences,
        }
      : {},
    next,
  );
  const seen = new Set<string>();
  // Saving the same values again changes nothing, and says nothing.
  const audits = (Object.keys(changes).length === 0 ? [] : sharedWith)
    .filter(({ teacherId }) => !seen.has(teacherId) && !!seen.add(teacherId))
    .map(({ teacherId, studentId }) =>
      auditStatement(
        db,
        env,
        {
          actorType: 'student',
          actorId: userId,
          action: 'availability.updated',
          targetType: 'student',
          targetId: studentId,
          teacherId,
          studentId,
          changes,
        },
        now,
      ),
    );
  await db.batch([
    db
      .insert(availability)
      .values({ studentUserId: userId, ...values })
      .onConflictDoUpdate({ target: availability.studentUserId, set: values }),
    ...audits,
  ]);
}
