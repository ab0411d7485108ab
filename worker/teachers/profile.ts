import type { teachers } from '../../db/schema.ts';

/** The teacher as the app sees it: profile, booking rules and the calendar's version. */
export function teacherProfile(t: typeof teachers.$inferSelect) {
  return {
    id: t.id,
    displayName: t.displayName,
    timeZone: t.timeZone,
    minNoticeMinutes: t.minNoticeMinutes,
    cancellationWindowMinutes: t.cancellationWindowMinutes,
    rescheduleWindowMinutes: t.rescheduleWindowMinutes,
    autoCompleteAfterDays: t.autoCompleteAfterDays,
    notifyOnChanges: t.notifyOnChanges,
    defaultSlotMinutes: t.defaultSlotMinutes,
    bookingHorizonDays: t.bookingHorizonDays,
    bufferMinutes: t.bufferMinutes,
    notifyOnBooking: t.notifyOnBooking,
    defaultLinkDays: t.defaultLinkDays,
    reminderOffsetsMinutes: t.reminderOffsetsMinutes,
    remindTeacher: t.remindTeacher,
    calendarVersion: t.calendarVersion,
  };
}
