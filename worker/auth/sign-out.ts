import type { Db } from '../db.ts';
import { invalidateSession } from './session.ts';
import { forgetSession } from './session-cache.ts';

/** Ends a session on the server, and in this isolate's memory of validated sessions. */
export async function signOut(db: Db, sessionId: string): Promise<void> {
  forgetSession(sessionId);
  await invalidateSession(db, sessionId);
}
