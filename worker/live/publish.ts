import type { Env } from '../env.ts';
import { describeForLog } from '../log/mask.ts';
import type { CalendarEvent, LiveEnding } from '../../shared/live-protocol.ts';
import type { LiveCredential } from './credentials.ts';

export const calendarStub = (env: Env, teacherId: string) =>
  env.TEACHER_CALENDAR.get(env.TEACHER_CALENDAR.idFromName(teacherId));

/**
 * Hands a committed change to the teacher's live object, without making the request wait for it: the call is
 * sent now (so a later change from the same client reaches the object after it) and finishes after the answer
 * (`waitUntil`). The object is one thread; while it is busy, say accepting a thousand sockets after a deploy,
 * a write that waited for its fan-out waited for all of them (DESIGN.md, "Live updates"). The database already
 * holds the change, so a failed publish loses nothing: clients notice the version gap at the next heartbeat
 * and refetch.
 */
export function publishCalendarEvent(env: Env, teacherId: string, event: CalendarEvent): Promise<void> {
  // As JSON: the object stores it as JSON anyway, and a string crosses the call for less than the runtime's
  // copy of a nested object, on both sides (DESIGN.md, "Cost per request").
  const published = calendarStub(env, teacherId)
    .publish(teacherId, JSON.stringify(event))
    .then(
      () => undefined,
      (error: unknown) =>
        console.error(
          JSON.stringify({ at: 'publishCalendarEvent', version: event.version, error: describeForLog(error) }),
        ),
    );
  // Resolves once the call is handed to the invocation, not when the object has fanned it out (without the
  // runtime's module, as before: when it has).
  return runtime().then(
    ({ waitUntil }) => waitUntil(published),
    () => published,
  );
}

/**
 * The runtime's own module (`waitUntil` of the current invocation), loaded on first use: tools that import the
 * app's routes outside workerd (a test listing them) never load it.
 */
let runtimeModule: Promise<typeof import('cloudflare:workers')> | null = null;
const runtime = () => (runtimeModule ??= import('cloudflare:workers'));

/**
 * Closes at once the sockets a credential opened on the teacher's calendar, after the credential ended in the
 * database (sign-out, a revoked or replaced link). A failure here leaves them to the next heartbeat, which
 * finds the credential gone and closes them then.
 */
export async function endLiveCredential(
  env: Env,
  teacherId: string,
  credential: Pick<LiveCredential, 'kind' | 'id'>,
  ending: LiveEnding,
): Promise<void> {
  try {
    await calendarStub(env, teacherId).endCredential(credential, ending);
  } catch (error) {
    console.error(JSON.stringify({ at: 'endLiveCredential', kind: credential.kind, error: describeForLog(error) }));
  }
}
