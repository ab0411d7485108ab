/** Who is signed in, loaded once per page visit from /api/auth/me. */
import { error, redirect } from '@sveltejs/kit';
import { api, ApiError, call } from './api.ts';
import { shellReadOr } from './early-read.ts';
import { STUDENT_FIRST_READS } from './student-first-requests.ts';

// The student dashboard's HTML shell may have started the check already (lib/student-shell-script.ts).
const loadMe = () => shellReadOr(STUDENT_FIRST_READS.me.key, () => call(api.auth.me.$get()));
export type Me = Awaited<ReturnType<typeof loadMe>>;
export type TeacherProfile = NonNullable<Me['teacher']>;

class Session {
  me = $state<Me | null>(null);
  loaded = $state(false);

  /** The last check: its time and answer. */
  #checked: { at: number; me: Promise<Me | null> } | null = null;

  /** Null when signed out; throws on other errors. */
  refresh(): Promise<Me | null> {
    const me = this.#load();
    this.#checked = { at: Date.now(), me };
    me.catch(() => (this.#checked = null));
    return me;
  }

  /**
   * The session as checked moments ago, else checked now. An area's guard runs again when its first page
   * redirects at once (the teacher's calendar moving to the week of the next slot); that second check would
   * only repeat the first, one round trip later.
   */
  recent(maxAgeMs = 5_000): Promise<Me | null> {
    if (this.#checked && Date.now() - this.#checked.at < maxAgeMs) return this.#checked.me;
    return this.refresh();
  }

  async #load(): Promise<Me | null> {
    try {
      this.me = await loadMe();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.me = null;
      else throw error;
    } finally {
      this.loaded = true;
    }
    return this.me;
  }

  async signOut(): Promise<void> {
    await call(api.auth['sign-out'].$post());
    this.me = null;
    this.#checked = null;
  }
}

export const session = new Session();

export type Area = keyof Me['areas'];

/** Where a signed-in person starts: the area sign-in lands in (`user.role`), if they have it, else the other. */
export function homeOf(me: Me): string {
  const first: Area = me.areas[me.user.role] ? me.user.role : me.areas.teacher ? 'teacher' : 'student';
  return `/${first}`;
}

/**
 * The guard of one area's layout (`teacher/+layout.ts`, `student/+layout.ts`): loads the session and sends
 * anyone without that area on, to sign in or to their own area, before any page of the area renders. One person
 * may have both areas (a student who also teaches). When Slotcast can't be reached, the root error page says so
 * and offers to try again.
 */
export async function requireRole(role: Area): Promise<Me> {
  let me: Me | null;
  try {
    me = await session.recent();
  } catch (cause) {
    error(503, cause instanceof Error ? cause.message : 'Slotcast could not be reached.');
  }
  if (!me) redirect(307, '/login');
  if (!me.areas[role]) redirect(307, homeOf(me));
  return me;
}
