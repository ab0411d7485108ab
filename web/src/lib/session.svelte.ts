/** Who is signed in, loaded once per page visit from /api/auth/me. */
import { error, redirect } from '@sveltejs/kit';
import { api, ApiError, call } from './api.ts';

const loadMe = () => call(api.auth.me.$get());
export type Me = Awaited<ReturnType<typeof loadMe>>;
export type TeacherProfile = NonNullable<Me['teacher']>;

class Session {
  me = $state<Me | null>(null);
  loaded = $state(false);

  /** Null when signed out; throws on other errors. */
  async refresh(): Promise<Me | null> {
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
  }
}

export const session = new Session();

/**
 * The guard of one role's layout (`teacher/+layout.ts`, `student/+layout.ts`): loads the session and sends
 * anyone else on, to sign in or to their own area, before any page of the area renders. When Slotcast can't
 * be reached, the root error page says so and offers to try again.
 */
export async function requireRole(role: 'teacher' | 'student'): Promise<Me> {
  let me: Me | null;
  try {
    me = await session.refresh();
  } catch (cause) {
    error(503, cause instanceof Error ? cause.message : 'Slotcast could not be reached.');
  }
  if (!me) redirect(307, '/login');
  if (me.user.role !== role) redirect(307, me.user.role === 'teacher' ? '/teacher' : '/student');
  return me;
}
