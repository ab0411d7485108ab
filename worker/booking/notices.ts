/**
 * The emails about a change to a booked session: the student always hears of it, the teacher when they
 * asked to (`notify_on_changes`); each in their own time zone. The rows go into the change's own batch, so a
 * change and its notices commit together, exactly once.
 */
import type { Booking, Teacher } from '../../db/schema.ts';
import { sessionUid } from '../../emails/ics.ts';
import type { TemplatePayloads } from '../../emails/index.ts';
import type { Env } from '../env.ts';
import { outboxValues } from '../email/outbox.ts';
import { rescheduleUrl, type Parties } from './parties.ts';

type NoticeTeacher = Pick<Teacher, 'id' | 'displayName' | 'timeZone' | 'notifyOnChanges'>;

/** Cancellation notices. `booking` is the canceled booking, with the SEQUENCE its cancel file carries. */
export async function cancellationNotices(
  env: Env,
  input: {
    booking: Pick<Booking, 'id' | 'icsUid' | 'subject' | 'startsAt' | 'endsAt' | 'studentId'> & { icsSequence: number };
    teacher: NoticeTeacher;
    parties: Parties;
    canceledBy: 'student' | 'teacher';
    message: string | null;
    now: number;
  },
) {
  const { booking, teacher, parties, now } = input;
  const student = parties.student;
  if (!student) return [];
  const common = {
    canceledBy: input.canceledBy,
    bookingId: booking.id,
    icsUid: sessionUid(booking),
    icsSequence: booking.icsSequence,
    studentName: student.name,
    teacherName: teacher.displayName,
    subject: booking.subject,
    startsAt: booking.startsAt,
    endsAt: booking.endsAt,
    message: input.message,
    dashboardUrl: parties.dashboardUrl,
    createdAt: now,
  };
  return toBothSides(env, 'booking-canceled', common, {
    teacher,
    parties,
    student,
    studentActionUrl: parties.portalUrl ?? parties.dashboardUrl,
    teacherActionUrl: parties.teacherBookingsUrl,
    now,
  });
}

/** Notices of a new time: `moved` is the booking at the new time, `previous` the times it had. */
export async function moveNotices(
  env: Env,
  input: {
    moved: Pick<Booking, 'id' | 'icsUid' | 'icsSequence' | 'subject' | 'startsAt' | 'endsAt'>;
    previous: Pick<Booking, 'startsAt' | 'endsAt'>;
    teacher: NoticeTeacher;
    parties: Parties;
    movedBy: 'student' | 'teacher';
    now: number;
  },
) {
  const { moved, teacher, parties, now } = input;
  const student = parties.student;
  if (!student) return [];
  const common = {
    movedBy: input.movedBy,
    bookingId: moved.id,
    icsUid: sessionUid(moved),
    icsSequence: moved.icsSequence,
    studentName: student.name,
    teacherName: teacher.displayName,
    subject: moved.subject,
    previous: { startsAt: input.previous.startsAt, endsAt: input.previous.endsAt },
    startsAt: moved.startsAt,
    endsAt: moved.endsAt,
    dashboardUrl: parties.dashboardUrl,
    createdAt: now,
  };
  return toBothSides(env, 'booking-moved', common, {
    teacher,
    parties,
    student,
    studentActionUrl: rescheduleUrl(parties, moved.id),
    teacherActionUrl: parties.teacherCalendarUrl,
    now,
  });
}

/** The same notice to the student, and to the teacher when they asked for them; each in their own zone. */
async function toBothSides<K extends 'booking-canceled' | 'booking-moved'>(
  env: Env,
  template: K,
  common: Omit<TemplatePayloads[K], 'recipient' | 'timeZone' | 'actionUrl'>,
  to: {
    teacher: NoticeTeacher;
    parties: Parties;
    student: NonNullable<Parties['student']>;
    studentActionUrl: string;
    teacherActionUrl: string;
    now: number;
  },
) {
  const { teacher, parties, student, now } = to;
  const concerns = { teacherId: teacher.id, studentId: student.id };
  const notice = (recipient: string, side: 'student' | 'teacher', timeZone: string, actionUrl: string) =>
    outboxValues(
      env,
      {
        recipient,
        template,
        payload: { ...common, recipient: side, timeZone, actionUrl } as TemplatePayloads[K],
        ...concerns,
      },
      now,
    );
  const rows = [await notice(student.email, 'student', parties.studentTimeZone, to.studentActionUrl)];
  if (teacher.notifyOnChanges && parties.teacherEmail)
    rows.push(await notice(parties.teacherEmail, 'teacher', teacher.timeZone, to.teacherActionUrl));
  return rows;
}
