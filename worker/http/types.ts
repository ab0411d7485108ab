import type { Env } from '../env.ts';
import type { SessionResult } from '../auth/session.ts';

export type AppEnv = {
  Bindings: Env;
  Variables: {
    /** Resolved lazily by the auth middleware; `session: null` when signed out. */
    auth: SessionResult;
    now: number;
  };
};
