import type { Env } from '../env.ts';
import type { SessionResult } from '../auth/session.ts';

export type AppEnv = {
  Bindings: Env;
  Variables: {
    /** Resolved lazily by the auth middleware; `session: null` when signed out. */
    auth: SessionResult;
    now: number;
    /** Set when the session came from this isolate's memory: the write batch must assert it (session-cache.ts). */
    sessionAssertion?: import('../auth/session-cache.ts').SessionAssertion;
  };
};
