import { Hono } from 'hono';
import { and, desc, eq, gt, inArray, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { auditLog, availability, bookings, emailOutbox, shareLinks, students } from '../../db/schema.ts';
import { auditValues } from '../audit.ts';
import { newId } from '../crypto/random.ts';
import { getDb, isConstraintError } from '../db.ts';
import { enqueueOutbox, outboxValues } from '../email/outbox.ts';
import { withinEmailLimits } from '../email/limits.ts';
import { config } from '../env.ts';
import { DomainError, notFound } from '../errors.ts';
import { currentTeacher, requireTeacher } from '../http/middleware.ts';
import { clientIp } from '../http/rate-limit.ts';
import type { AppEnv } from '../http/types.ts';
import { emailSchema, validate } from '../http/validate.ts';
import { singleLineText } from '../http/text.ts';
import { calendarStub } from '../live/publish.ts';
import { linkSummary } from '../share-links/state.ts';
import { newShareToken, openShareToken, shareUrl } from '../share-links/tokens.ts';
import { isHexColor, nextStudentColor } from '../students/colors.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const idParam = z.object({ id: z.uuid({ message: 'No such student.' }) });
const colorSchema = z
  .string()
  .refine(isHexColor, { message: 'Use a color like #1d4ed8.' })
  .transform((c) => c.toLowerCase());
const studentInput = z
  .object({
    name: singleLineText({ max: 80, noun: 'Names' }).min(1, 'Enter the student’s name.'),
    email: emailSchema,
    color: colorSchema.optional(),
  })
  .strict();
const linkInput = z
  .object({
    expiresInDays: z
      .number()
      .int()
      .min(1, 'A link lasts at least a day.')
      .max(365, 'A link lasts at most a year.')
      .optional(),
    maxUses: z.number().int().min(1, 'Allow at least one booking, or no limit.').max(1000).nullable().optional(),
  })
  .strict();

type Db = ReturnType<typeof getDb>;

async function findStudent(db: Db, teacherId: string, id: string) {
  const [student] = await db
    .select()
    .from(students)
    .where(and(eq(students.id, id), eq(students.teacherId, teacherId)));
  if (!student) throw notFound('No such student.');
  return student;
}

/** The newest email about each student, so a failed delivery shows next to them. */
async function latestEmails(db: Db, teacherId: string, studentIds: string[]) {
  const latest = new Map<
    string,
    { template: string; status: string; attempts: number; lastError: string | null; sentAt: number | null; at: number }
  >();
  if (studentIds.length === 0) return latest;
  const rows = await db
    .select({
      studentId: emailOutbox.studentId,
      template: emailOutbox.template,
      status: emailOutbox.status,
      attempts: emailOutbox.attempts,
      lastError: emailOutbox.lastError,
      sentAt: emailOutbox.sentAt,
      at: emailOutbox.createdAt,
    })
    .from(emailOutbox)
    .where(and(eq(emailOutbox.teacherId, teacherId), inArray(emailOutbox.studentId, studentIds)))
    .orderBy(desc(emailOutbox.createdAt));
  for (const { studentId, ...row } of rows)
    if (studentId && !latest.has(studentId) && row.template !== 'booking-notice') latest.set(studentId, row);
  return latest;
}

/** What each student with an account said about when they're free (only this teacher's students are asked). */
async function availabilityOf(db: Db, userIds: string[]) {
  if (userIds.length === 0) return new Map<string, typeof availability.$inferSelect>();
  const rows = await db.select().from(availability).where(inArray(availability.studentUserId, userIds));
  return new Map(rows.map((row) => [row.studentUserId, row]));
}

/** The newest link of each student (active or not), so the list can show its state. */
async function latestLinks(db: Db, studentIds: string[]) {
  if (studentIds.length === 0) return new Map<string, typeof shareLinks.$inferSelect>();
  const rows = await db
    .select()
    .from(shareLinks)
    .where(inArray(shareLinks.studentId, studentIds))
    .orderBy(desc(shareLinks.createdAt));
  const latest = new Map<string, typeof shareLinks.$inferSelect>();
  for (const row of rows) if (!latest.has(row.studentId)) latest.set(row.studentId, row);
  return latest;
}

function availabilityView(row: typeof availability.$inferSelect | undefined) {
  return row
    ? {
        timeZone: row.timeZone,
        weeklyRanges: row.weeklyRanges,
        notes: row.notes,
        preferences: row.preferences,
        updatedAt: row.updatedAt,
      }
    : null;
}

async function linkView(secretKey: string, appUrl: string, link: typeof shareLinks.$inferSelect, now: number) {
  const summary = linkSummary(link, now);
  const url =
    summary.state === 'revoked'
      ? null
      : shareUrl(appUrl, link.teacherId, await openShareToken(secretKey, link.tokenSealed));
  return { ...summary, url };
}

/** Revokes every live link of a student and closes the sockets opened with them. */
async function revokeLinks(env: AppEnv['Bindings'], db: Db, teacherId: string, studentId: string, now: number) {
  const revoked = await db
    .update(shareLinks)
    .set({ revokedAt: now })
    .where(and(eq(shareLinks.studentId, studentId), eq(shareLinks.teacherId, teacherId), isNull(shareLinks.revokedAt)))
    .returning({ id: shareLinks.id });
  const stub = calendarStub(env, teacherId);
  await Promise.all(
    revoked.map((r) => stub.closeByTag(`link:${r.id}`, 'This booking link is no longer valid.').catch(() => 0)),
  );
  return revoked.map((r) => r.id);
}

export const teacherStudentRoutes = new Hono<AppEnv>()
  .use(requireTeacher)

  .get('/', async (c) => {
    const teacher = currentTeacher(c);
    const db = getDb(c.env);
    const now = c.get('now');
    const list = await db.select().from(students).where(eq(students.teacherId, teacher.id)).orderBy(students.name);
    const [links, emails, free] = await Promise.all([
      latestLinks(
        db,
        list.map((s) => s.id),
      ),
      latestEmails(
        db,
        teacher.id,
        list.map((s) => s.id),
      ),
      availabilityOf(
        db,
        list.flatMap((s) => (s.userId ? [s.userId] : [])),
      ),
    ]);
    const { SECRET_KEY, APP_URL } = config(c.env);
    return c.json({
      students: await Promise.all(
        list.map(async (s) => ({
          id: s.id,
          name: s.name,
          email: s.email,
          color: s.color,
          hasAccount: s.userId !== null,
          link: links.has(s.id) ? await linkView(SECRET_KEY, APP_URL, links.get(s.id)!, now) : null,
          lastEmail: emails.get(s.id) ?? null,
          availability: availabilityView(s.userId ? free.get(s.userId) : undefined),
        })),
      ),
    });
  })

  .post('/', validate('json', studentInput), async (c) => {
    const teacher = currentTeacher(c);
    const db = getDb(c.env);
    const body = c.req.valid('json');
    const now = c.get('now');
    const taken = await db.select({ color: students.color }).from(students).where(eq(students.teacherId, teacher.id));
    const student = {
      id: newId(),
      teacherId: teacher.id,
      name: body.name,
      email: body.email,
      color: body.color ?? nextStudentColor(taken.map((t) => t.color)),
      createdAt: now,
      updatedAt: now,
    };
    try {
      await db.batch([
        db.insert(students).values(student),
        db.insert(auditLog).values(
          await auditValues(
            c.env,
            {
              actorType: 'teacher',
              actorId: teacher.id,
              action: 'student.added',
              targetType: 'student',
              targetId: student.id,
            },
            now,
          ),
        ),
      ]);
    } catch (error) {
      if (isConstraintError(error, 'UNIQUE'))
        throw new DomainError('student_exists', 409, 'You already have a student with this email address.');
      throw error;
    }
    return c.json(
      {
        student: {
          id: student.id,
          name: student.name,
          email: student.email,
          color: student.color,
          hasAccount: false,
          link: null,
          lastEmail: null,
          availability: null,
        },
      },
      201,
    );
  })

  .patch('/:id', validate('param', idParam), validate('json', studentInput.partial().strict()), async (c) => {
    const teacher = currentTeacher(c);
    const db = getDb(c.env);
    await findStudent(db, teacher.id, c.req.valid('param').id);
    try {
      const [updated] = await db
        .update(students)
        .set({ ...c.req.valid('json'), updatedAt: c.get('now') })
        .where(and(eq(students.id, c.req.valid('param').id), eq(students.teacherId, teacher.id)))
        .returning();
      return c.json({
        student: { id: updated!.id, name: updated!.name, email: updated!.email, color: updated!.color },
      });
    } catch (error) {
      if (isConstraintError(error, 'UNIQUE'))
        throw new DomainError('student_exists', 409, 'You already have a student with this email address.');
      throw error;
    }
  })

  .delete('/:id', validate('param', idParam), async (c) => {
    const teacher = currentTeacher(c);
    const db = getDb(c.env);
    const now = c.get('now');
    const student = await findStudent(db, teacher.id, c.req.valid('param').id);
    const upcoming = await db
      .select({ id: bookings.id })
      .from(bookings)
      .where(and(eq(bookings.studentId, student.id), eq(bookings.status, 'scheduled'), gt(bookings.startsAt, now)))
      .limit(1);
    if (upcoming.length > 0)
      throw new DomainError(
        'student_has_bookings',
        409,
        `${student.name} has upcoming sessions. Cancel them before removing the student.`,
      );
    await revokeLinks(c.env, db, teacher.id, student.id, now);
    await db.batch([
      db.delete(students).where(eq(students.id, student.id)),
      db.insert(auditLog).values(
        await auditValues(
          c.env,
          {
            actorType: 'teacher',
            actorId: teacher.id,
            action: 'student.removed',
            targetType: 'student',
            targetId: student.id,
          },
          now,
        ),
      ),
    ]);
    return c.body(null, 204);
  })

  .get('/:id/share-link', validate('param', idParam), async (c) => {
    const teacher = currentTeacher(c);
    const db = getDb(c.env);
    const student = await findStudent(db, teacher.id, c.req.valid('param').id);
    const link = (await latestLinks(db, [student.id])).get(student.id);
    const { SECRET_KEY, APP_URL } = config(c.env);
    return c.json({ link: link ? await linkView(SECRET_KEY, APP_URL, link, c.get('now')) : null });
  })

  /** Creates the student's link, or regenerates it: any older link stops working at once. */
  .post('/:id/share-link', validate('param', idParam), validate('json', linkInput), async (c) => {
    const teacher = currentTeacher(c);
    const db = getDb(c.env);
    const now = c.get('now');
    const student = await findStudent(db, teacher.id, c.req.valid('param').id);
    const body = c.req.valid('json');
    const { SECRET_KEY, APP_URL } = config(c.env);
    const revoked = await revokeLinks(c.env, db, teacher.id, student.id, now);
    const { tokenHash, tokenSealed } = await newShareToken(SECRET_KEY);
    const link = {
      id: newId(),
      teacherId: teacher.id,
      studentId: student.id,
      tokenHash,
      tokenSealed,
      expiresAt: now + (body.expiresInDays ?? teacher.defaultLinkDays) * DAY_MS,
      maxUses: body.maxUses ?? null,
      useCount: 0,
      accessCount: 0,
      lastAccessedAt: null,
      revokedAt: null,
      createdAt: now,
    };
    const action = revoked.length > 0 ? 'share_link.regenerated' : 'share_link.created';
    await db.batch([
      db.insert(shareLinks).values(link),
      db.insert(auditLog).values(
        await auditValues(
          c.env,
          {
            actorType: 'teacher',
            actorId: teacher.id,
            action,
            targetType: 'share_link',
            targetId: link.id,
            ip: clientIp(c.req),
            details: { studentId: student.id, replaced: revoked },
          },
          now,
        ),
      ),
    ]);
    return c.json({ link: await linkView(SECRET_KEY, APP_URL, link, now) }, 201);
  })

  .post('/:id/share-link/revoke', validate('param', idParam), async (c) => {
    const teacher = currentTeacher(c);
    const db = getDb(c.env);
    const now = c.get('now');
    const student = await findStudent(db, teacher.id, c.req.valid('param').id);
    const revoked = await revokeLinks(c.env, db, teacher.id, student.id, now);
    if (revoked.length === 0)
      throw new DomainError('no_active_link', 409, `${student.name} has no active link to revoke.`);
    await db.insert(auditLog).values(
      await auditValues(
        c.env,
        {
          actorType: 'teacher',
          actorId: teacher.id,
          action: 'share_link.revoked',
          targetType: 'share_link',
          targetId: revoked[0]!,
          details: { studentId: student.id },
        },
        now,
      ),
    );
    return c.json({ revoked });
  })

  /** Emails the student their current link, through the outbox. */
  .post('/:id/share-link/email', validate('param', idParam), async (c) => {
    const teacher = currentTeacher(c);
    const db = getDb(c.env);
    const now = c.get('now');
    const student = await findStudent(db, teacher.id, c.req.valid('param').id);
    const link = (await latestLinks(db, [student.id])).get(student.id);
    const { SECRET_KEY, APP_URL } = config(c.env);
    if (!link || linkSummary(link, now).state !== 'active')
      throw new DomainError('no_active_link', 409, `${student.name} has no active link. Create one first.`);
    const outbox = await outboxValues(
      c.env,
      {
        recipient: student.email,
        template: 'share-link',
        payload: {
          studentName: student.name,
          teacherName: teacher.displayName,
          link: shareUrl(APP_URL, teacher.id, await openShareToken(SECRET_KEY, link.tokenSealed)),
          expiresAt: link.expiresAt,
          timeZone: teacher.timeZone,
        },
        teacherId: teacher.id,
        studentId: student.id,
      },
      now,
    );
    await withinEmailLimits(db, { teacherId: teacher.id, recipient: student.email, now }).batch([
      db.insert(emailOutbox).values(outbox),
      db.insert(auditLog).values(
        await auditValues(
          c.env,
          {
            actorType: 'teacher',
            actorId: teacher.id,
            action: 'share_link.emailed',
            targetType: 'share_link',
            targetId: link.id,
          },
          now,
        ),
      ),
    ]);
    await enqueueOutbox(c.env, [outbox.id]);
    return c.json({ ok: true, message: `The link is on its way to ${student.email}.` }, 202);
  });
