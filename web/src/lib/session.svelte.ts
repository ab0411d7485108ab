/** Who is signed in, loaded once per page visit from /api/auth/me. */
import { goto } from '$app/navigation';
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
 * For pages of one role: loads the session and sends anyone else on (to sign in, or to their own area).
 * Resolves to null when it navigated away.
 */
export async function requireRole(role: 'teacher' | 'student'): Promise<Me | null> {
  const me = await session.refresh();
  if (!me) {
    await goto('/login');
    return null;
  }
  if (me.user.role !== role) {
    await goto(me.user.role === 'teacher' ? '/teacher' : '/student');
    return null;
  }
  return me;
}
