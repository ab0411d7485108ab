/** Who is signed in, loaded once per page visit from /api/auth/me. */
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
