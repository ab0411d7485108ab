import type { Env } from '../env.ts';
import { describeForLog } from '../log/mask.ts';
import type { CalendarEvent } from '../../shared/live-protocol.ts';

export const calendarStub = (env: Env, teacherId: string) =>
  env.TEACHER_CALENDAR.get(env.TEACHER_CALENDAR.idFromName(teacherId));

/**
 * Hands a committed change to the teacher's live object. The database already holds the change, so a failed
 * publish loses nothing: clients notice the version gap at the next heartbeat and refetch.
 */
export async function publishCalendarEvent(env: Env, teacherId: string, event: CalendarEvent): Promise<void> {
  try {
    await calendarStub(env, teacherId).publish(teacherId, event);
  } catch (error) {
    console.error(JSON.stringify({ at: 'publishCalendarEvent', version: event.version, error: describeForLog(error) }));
  }
}
