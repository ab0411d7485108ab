/**
 * What a request carries through the Hono app. The session types are declared here, from the schema alone,
 * so the auth modules that fill them in (auth/) can import this file without it importing them back.
 */
import type { Teacher, User } from '../../db/schema.ts';
import type { Env } from '../env.ts';

export type SessionUser = Pick<User, 'id' | 'email' | 'name' | 'role'>;
/**
 * A signed-in person's areas follow what they have, not `users.role` (which only says where sign-in lands):
 * the teacher area needs a `teachers` row, the student area a student's side (auth/session.ts). One person
 * can have both.
 */
export type SessionResult =
  | { session: { id: string; expiresAt: number }; user: SessionUser; teacher: Teacher | null; studentArea: boolean }
  | { session: null; user: null; teacher: null; studentArea: false };

/** A remembered session's proof, checked inside the write batch by the database (auth/session-cache.ts). */
export interface SessionAssertion {
  sessionId: string;
  secretHash: Uint8Array;
  teacherUpdatedAt: number;
}

export type AppEnv = {
  Bindings: Env;
  Variables: {
    /** Resolved by the session middleware (auth/guard.ts); `session: null` when signed out. */
    auth: SessionResult;
    /** The request's time, set once by the clock middleware (clock.ts); every decision reads this. */
    now: number;
    /** Set when the session came from this isolate's memory: the write batch must assert it (session-cache.ts). */
    sessionAssertion?: SessionAssertion;
    /** Set for a read that validates the session in its own batch (auth/guard.ts `readAsTeacher`). */
    sessionInRead?: boolean;
    /** A portal request's link teacher, set where the link is read: its request metrics count for them. */
    portalTeacherId?: string;
  };
};
