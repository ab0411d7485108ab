/**
 * The whole Slotcast data model (see DESIGN.md "Data model").
 * Times are UTC epoch milliseconds; time zones are IANA names; ids are random UUIDs.
 */
import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { WeeklyRange } from '../shared/weekly-range.ts';

const id = () => text('id').primaryKey();
const createdAt = () => integer('created_at').notNull();
const updatedAt = () => integer('updated_at').notNull();

export const users = sqliteTable('users', {
  id: id(),
  email: text('email').notNull().unique(),
  name: text('name').notNull().default(''),
  role: text('role', { enum: ['teacher', 'student'] }).notNull(),
  createdFromBookingId: text('created_from_booking_id'),
  emailVerifiedAt: integer('email_verified_at'),
  disabledAt: integer('disabled_at'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Lucia-style sessions: only the SHA-256 of the token's secret half is stored. */
export const authSessions = sqliteTable(
  'auth_sessions',
  {
    id: id(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
    createdAt: createdAt(),
    lastVerifiedAt: integer('last_verified_at').notNull(),
  },
  (t) => [index('auth_sessions_user_idx').on(t.userId)],
);

/** One-time login links. `email` is set even before a user exists (sign-up links). */
export const loginTokens = sqliteTable(
  'login_tokens',
  {
    id: id(),
    tokenHash: text('token_hash').notNull().unique(),
    email: text('email').notNull(),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: ['login', 'signup', 'first_access'] }).notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('login_tokens_email_idx').on(t.email, t.createdAt)],
);

export const oauthAccounts = sqliteTable(
  'oauth_accounts',
  {
    provider: text('provider').notNull(),
    providerUserId: text('provider_user_id').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('oauth_accounts_provider_user_uq').on(t.provider, t.providerUserId),
    index('oauth_accounts_user_idx').on(t.userId),
  ],
);

export const teachers = sqliteTable('teachers', {
  /** Same id as the teacher's user row. */
  id: text('id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  displayName: text('display_name').notNull(),
  timeZone: text('time_zone').notNull(),
  minNoticeMinutes: integer('min_notice_minutes').notNull().default(720),
  cancellationWindowMinutes: integer('cancellation_window_minutes').notNull().default(1440),
  defaultSlotMinutes: integer('default_slot_minutes').notNull().default(60),
  bookingHorizonDays: integer('booking_horizon_days').notNull().default(60),
  bufferMinutes: integer('buffer_minutes').notNull().default(0),
  defaultLinkDays: integer('default_link_days').notNull().default(30),
  notifyOnBooking: integer('notify_on_booking', { mode: 'boolean' }).notNull().default(true),
  /** Minutes before a session when its reminders go out (zero to three, distinct); see jobs/reminders.ts. */
  reminderOffsetsMinutes: text('reminder_offsets_minutes', { mode: 'json' })
    .notNull()
    .$type<number[]>()
    .default(sql`'[1440,60]'`),
  /** The teacher gets the reminders too. */
  remindTeacher: integer('remind_teacher', { mode: 'boolean' }).notNull().default(false),
  /** Emails to the teacher when a student cancels or moves a session (their own actions never email them). */
  notifyOnChanges: integer('notify_on_changes', { mode: 'boolean' }).notNull().default(true),
  /** Students may move a session up to this long before it starts (separate from cancelling). */
  rescheduleWindowMinutes: integer('reschedule_window_minutes').notNull().default(1440),
  /** Unmarked past sessions count as completed this many days after they end; null: never (they await an outcome). */
  autoCompleteAfterDays: integer('auto_complete_after_days'),
  /** Bumped in the same batch as every calendar change; live events carry it. */
  calendarVersion: integer('calendar_version').notNull().default(0),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const students = sqliteTable(
  'students',
  {
    id: id(),
    teacherId: text('teacher_id')
      .notNull()
      .references(() => teachers.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    name: text('name').notNull(),
    color: text('color').notNull(),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    /** Set when an email to this address bounced, was refused for good, or was reported as spam. */
    emailProblem: text('email_problem', { enum: ['bounced', 'refused', 'complained'] }),
    /** The problem in plain words, for the teacher. */
    emailProblemReason: text('email_problem_reason'),
    emailProblemAt: integer('email_problem_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('students_teacher_email_uq').on(t.teacherId, t.email),
    index('students_user_idx').on(t.userId),
    // Every teacher who has an address: the student's dashboard and the session's student-area check ask.
    index('students_email_idx').on(t.email),
  ],
);

export const shareLinks = sqliteTable(
  'share_links',
  {
    id: id(),
    teacherId: text('teacher_id')
      .notNull()
      .references(() => teachers.id, { onDelete: 'cascade' }),
    studentId: text('student_id')
      .notNull()
      .references(() => students.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    /** AES-GCM sealed token so the teacher can copy the link again. */
    tokenSealed: text('token_sealed').notNull(),
    expiresAt: integer('expires_at').notNull(),
    maxUses: integer('max_uses'),
    useCount: integer('use_count').notNull().default(0),
    accessCount: integer('access_count').notNull().default(0),
    lastAccessedAt: integer('last_accessed_at'),
    revokedAt: integer('revoked_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('share_links_student_idx').on(t.studentId, t.revokedAt),
    index('share_links_teacher_idx').on(t.teacherId),
  ],
);

export const slots = sqliteTable(
  'slots',
  {
    id: id(),
    teacherId: text('teacher_id')
      .notNull()
      .references(() => teachers.id, { onDelete: 'cascade' }),
    startsAt: integer('starts_at').notNull(),
    endsAt: integer('ends_at').notNull(),
    subject: text('subject').notNull().default(''),
    status: text('status', { enum: ['open', 'booked', 'canceled'] })
      .notNull()
      .default('open'),
    /** Slots made together by one weekly rule share a series id. */
    seriesId: text('series_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  // The range query of every calendar read: teacher + time window.
  (t) => [index('slots_teacher_start_idx').on(t.teacherId, t.startsAt)],
);

export const bookings = sqliteTable(
  'bookings',
  {
    id: id(),
    slotId: text('slot_id')
      .notNull()
      .references(() => slots.id),
    teacherId: text('teacher_id')
      .notNull()
      .references(() => teachers.id, { onDelete: 'cascade' }),
    studentId: text('student_id').references(() => students.id, { onDelete: 'set null' }),
    studentUserId: text('student_user_id').references(() => users.id, { onDelete: 'set null' }),
    shareLinkId: text('share_link_id'),
    /** `rescheduled`: moved to another time; `rescheduled_to_booking_id` is the booking that replaced it. */
    status: text('status', { enum: ['scheduled', 'completed', 'canceled', 'no_show', 'rescheduled'] }).notNull(),
    startsAt: integer('starts_at').notNull(),
    endsAt: integer('ends_at').notNull(),
    subject: text('subject').notNull().default(''),
    scheduledAt: integer('scheduled_at').notNull(),
    completedAt: integer('completed_at'),
    canceledAt: integer('canceled_at'),
    canceledBy: text('canceled_by', { enum: ['teacher', 'student', 'system'] }),
    /** The teacher's message to the student when the teacher cancels. */
    cancelMessage: text('cancel_message'),
    /** Set on the old booking of a reschedule or move: the booking at the new time. */
    rescheduledToBookingId: text('rescheduled_to_booking_id'),
    /** Set on the new booking of a reschedule or move: the booking it replaced (checked by a trigger). */
    rescheduledFromBookingId: text('rescheduled_from_booking_id'),
    /** What the teacher recorded after the session; changeable, every change audited. */
    outcome: text('outcome', { enum: ['completed', 'no_show'] }),
    outcomeRecordedAt: integer('outcome_recorded_at'),
    outcomeRecordedBy: text('outcome_recorded_by'),
    /** The calendar event's UID: kept across reschedules so calendars move the one event. Null: `<id>@slotcast`. */
    icsUid: text('ics_uid'),
    /** The calendar event's SEQUENCE: each new time or cancellation sent out raises it. */
    icsSequence: integer('ics_sequence').notNull().default(0),
    /** A fresh id per change, so the change's batch can check its own update took effect (booking_change_checks). */
    changeId: text('change_id'),
    source: text('source', { enum: ['share_link', 'api'] }).notNull(),
    externalId: text('external_id'),
    /** The student's time zone when they booked (their browser's, or the API caller's), for emails. */
    studentTimeZone: text('student_time_zone'),
  },
  (t) => [
    // The database, not the code path, is the last word on double booking.
    uniqueIndex('bookings_one_scheduled_per_slot_uq')
      .on(t.slotId)
      .where(sql`status = 'scheduled'`),
    uniqueIndex('bookings_teacher_external_uq')
      .on(t.teacherId, t.externalId)
      .where(sql`external_id IS NOT NULL`),
    index('bookings_student_user_idx').on(t.studentUserId, t.startsAt),
    index('bookings_student_idx').on(t.studentId, t.startsAt),
    index('bookings_teacher_start_idx').on(t.teacherId, t.startsAt),
    // The reminder job's scan: scheduled bookings starting within the next week.
    index('bookings_status_start_idx').on(t.status, t.startsAt),
  ],
);

/**
 * One row per reminder queued: the primary key is the database's promise that a (booking, start time, offset,
 * recipient) is reminded at most once, however many cron runs race (jobs/reminders.ts). The start time is part
 * of the key so a booking moved in place is reminded again for its new time.
 */
export const remindersSent = sqliteTable(
  'reminders_sent',
  {
    bookingId: text('booking_id')
      .notNull()
      .references(() => bookings.id, { onDelete: 'cascade' }),
    startsAt: integer('starts_at').notNull(),
    offsetMinutes: integer('offset_minutes').notNull(),
    recipient: text('recipient', { enum: ['student', 'teacher'] }).notNull(),
    /** The outbox row this reminder went out as. */
    outboxId: text('outbox_id').notNull(),
    dueAt: integer('due_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.bookingId, t.startsAt, t.offsetMinutes, t.recipient] }),
    uniqueIndex('reminders_sent_outbox_uq').on(t.outboxId),
  ],
);

export const availability = sqliteTable('availability', {
  studentUserId: text('student_user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  timeZone: text('time_zone').notNull(),
  /** JSON: [{ day: 1..7 (ISO, Monday=1), start: "HH:MM", end: "HH:MM" }] */
  weeklyRanges: text('weekly_ranges', { mode: 'json' }).notNull().$type<WeeklyRange[]>(),
  notes: text('notes').notNull().default(''),
  preferences: text('preferences').notNull().default(''),
  updatedAt: updatedAt(),
});

/**
 * Which teachers may see a student's availability, notes and preferences (worker/students/sharing.ts decides).
 * No row: not shared. A row with `revoked_at`: the student stopped sharing, and a later portal booking does not
 * share again; only the student's own tick does.
 */
export const availabilityShares = sqliteTable(
  'availability_shares',
  {
    studentUserId: text('student_user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    teacherId: text('teacher_id')
      .notNull()
      .references(() => teachers.id, { onDelete: 'cascade' }),
    source: text('source', { enum: ['portal_booking', 'student_choice'] }).notNull(),
    grantedAt: integer('granted_at').notNull(),
    revokedAt: integer('revoked_at'),
  },
  (t) => [
    uniqueIndex('availability_shares_student_teacher_uq').on(t.studentUserId, t.teacherId),
    index('availability_shares_teacher_idx').on(t.teacherId),
  ],
);

export const emailOutbox = sqliteTable(
  'email_outbox',
  {
    id: id(),
    recipient: text('recipient').notNull(),
    template: text('template').notNull(),
    /** AES-GCM sealed JSON: payloads may hold one-time links. */
    payloadSealed: text('payload_sealed').notNull(),
    /** `bounced` / `complained`: sent, then reported back by the provider (worker/email/events.ts). */
    status: text('status', { enum: ['queued', 'sending', 'sent', 'failed', 'bounced', 'complained'] })
      .notNull()
      .default('queued'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastError: text('last_error'),
    provider: text('provider'),
    providerMessageId: text('provider_message_id'),
    sentAt: integer('sent_at'),
    /** Who the email concerns, so the teacher can see delivery next to a student. */
    teacherId: text('teacher_id'),
    studentId: text('student_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  // The cron sweep's query: stale queued or stuck sending rows.
  (t) => [
    index('email_outbox_status_next_idx').on(t.status, t.nextAttemptAt),
    index('email_outbox_student_idx').on(t.studentId),
    // Bounce and complaint events name the provider's message id.
    index('email_outbox_provider_message_idx').on(t.providerMessageId),
    index('email_outbox_recipient_idx').on(t.recipient, t.createdAt),
  ],
);

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: id(),
    at: integer('at').notNull(),
    actorType: text('actor_type', {
      enum: ['teacher', 'student', 'share_link', 'api_key', 'system', 'anonymous'],
    }).notNull(),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    ipHash: text('ip_hash'),
    userAgent: text('user_agent'),
    details: text('details', { mode: 'json' }).$type<Record<string, unknown>>(),
    /** Whose trail the entry is in: the teacher whose calendar, student, link or key it is about (null: nobody's). */
    teacherId: text('teacher_id'),
    /** The teacher's student it is about (`students.id`), for the audit page's student filter. */
    studentId: text('student_id'),
    /** Old → new values of a change: `{ field: { from, to } }`. */
    changes: text('changes', { mode: 'json' }).$type<Record<string, { from: unknown; to: unknown }>>(),
  },
  (t) => [
    index('audit_log_target_idx').on(t.targetType, t.targetId, t.at),
    index('audit_log_actor_idx').on(t.actorType, t.actorId, t.at),
    // The teacher's audit page pages newest first by (at, id), optionally for one student; the purge runs by `at`.
    index('audit_log_teacher_at_idx').on(t.teacherId, t.at, t.id),
    index('audit_log_teacher_student_at_idx').on(t.teacherId, t.studentId, t.at, t.id),
    index('audit_log_at_idx').on(t.at),
  ],
);

export const linkEvents = sqliteTable(
  'link_events',
  {
    id: id(),
    shareLinkId: text('share_link_id')
      .notNull()
      .references(() => shareLinks.id, { onDelete: 'cascade' }),
    teacherId: text('teacher_id').notNull(),
    kind: text('kind', { enum: ['view', 'booking', 'cancellation'] }).notNull(),
    at: integer('at').notNull(),
  },
  (t) => [
    index('link_events_teacher_at_idx').on(t.teacherId, t.at),
    index('link_events_link_idx').on(t.shareLinkId, t.at),
  ],
);

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: id(),
    teacherId: text('teacher_id')
      .notNull()
      .references(() => teachers.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    keyHash: text('key_hash').notNull().unique(),
    /** First characters, shown in the list so a teacher can tell keys apart. */
    prefix: text('prefix').notNull(),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
    createdAt: createdAt(),
  },
  (t) => [index('api_keys_teacher_idx').on(t.teacherId)],
);

/**
 * Never holds a row: inserting one asks the database, inside a write batch, whether a teacher's session is
 * still valid (trigger in migration 0003). A write that carries its own session check needs no separate
 * round trip to validate the session first.
 */
export const sessionAssertions = sqliteTable('session_assertions', {
  sessionId: text('session_id').notNull(),
  secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
  /** The teacher row the request was planned with must still be current (settings unchanged). */
  teacherUpdatedAt: integer('teacher_updated_at').notNull(),
  at: integer('at').notNull(),
  absoluteLifetimeMs: integer('absolute_lifetime_ms').notNull(),
  inactivityTimeoutMs: integer('inactivity_timeout_ms').notNull(),
});

/**
 * One row per write batch the Worker sent, inserted first in the batch (worker/db-retry.ts). A batch whose
 * answer was lost can be sent again: if the first one committed, the second's receipt is refused and the
 * whole second run rolls back, so no write happens twice. Rows older than a day are deleted by the cron.
 */
export const writeReceipts = sqliteTable('write_receipts', {
  id: text('id').primaryKey(),
  at: integer('at').notNull(),
});

/**
 * Never holds a row: inserting (booking_id, change_id) aborts the batch with BOOKING_NOT_ACTIVE unless the
 * booking carries that change id, i.e. this batch's own conditional update matched (trigger in migration 0008).
 * A cancellation that lost a race therefore sends no email and writes nothing.
 */
export const bookingChangeChecks = sqliteTable('booking_change_checks', {
  bookingId: text('booking_id').notNull(),
  changeId: text('change_id').notNull(),
});

/**
 * Request counts and latencies, one row per (scope, teacher, minute), written by each isolate's request
 * metrics about once a minute as one additive upsert batch (worker/metrics/). Never one write per request.
 * `scope` is `app` (every /api request; `teacher_id` '') or `portal` (a share-link portal request, by the
 * link's teacher). `h0`..`h7` count requests by duration: ≤25, ≤50, ≤100, ≤250, ≤500, ≤1000, ≤2500, >2500 ms.
 */
export const requestMetrics = sqliteTable(
  'request_metrics',
  {
    scope: text('scope', { enum: ['app', 'portal'] }).notNull(),
    teacherId: text('teacher_id').notNull().default(''),
    /** The minute's first instant, epoch ms. */
    minute: integer('minute').notNull(),
    count: integer('count').notNull().default(0),
    errors5xx: integer('errors_5xx').notNull().default(0),
    errors4xx: integer('errors_4xx').notNull().default(0),
    sumMs: integer('sum_ms').notNull().default(0),
    h0: integer('h0').notNull().default(0),
    h1: integer('h1').notNull().default(0),
    h2: integer('h2').notNull().default(0),
    h3: integer('h3').notNull().default(0),
    h4: integer('h4').notNull().default(0),
    h5: integer('h5').notNull().default(0),
    h6: integer('h6').notNull().default(0),
    h7: integer('h7').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.scope, t.teacherId, t.minute] }),
    // The retention job deletes by age across every scope and teacher (worker/jobs/metrics-retention.ts).
    index('request_metrics_minute_idx').on(t.minute),
  ],
);

export type User = typeof users.$inferSelect;
export type Teacher = typeof teachers.$inferSelect;
export type Slot = typeof slots.$inferSelect;
export type Booking = typeof bookings.$inferSelect;
export type OutboxRow = typeof emailOutbox.$inferSelect;
