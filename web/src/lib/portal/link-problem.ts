/** Why a booking link opens nothing, from the API's refusal or the live connection's close. */
import { ApiError } from '../api.ts';

export type LinkProblemKind = 'expired' | 'revoked' | 'replaced' | 'used_up' | 'invalid';

export interface LinkProblem {
  kind: LinkProblemKind;
  message: string;
}

/** The problem an API refusal names, or null when the error is not about the link (a network failure, say). */
export function linkProblemOf(error: unknown): LinkProblem | null {
  if (!(error instanceof ApiError) || (error.status !== 404 && error.status !== 410)) return null;
  const kind: LinkProblemKind =
    error.code === 'link_expired'
      ? 'expired'
      : error.code === 'link_used_up'
        ? 'used_up'
        : error.code === 'link_revoked'
          ? error.details?.replaced
            ? 'replaced'
            : 'revoked'
          : 'invalid';
  return { kind, message: error.message };
}
