/**
 * What went wrong with a sign-in through Google, Microsoft, GitHub or a school, in words for the person: the
 * Worker sends the browser to `/login?error=oauth_<reason>` (worker/auth/oauth/flow.ts, FailureReason).
 */
const MESSAGES: Record<string, string> = {
  oauth_state: 'That sign-in could not be matched to this browser, or took too long. Please start again.',
  oauth_denied: 'The sign-in was cancelled at the provider. You can try again, or use an email link.',
  oauth_code_rejected:
    'The provider did not confirm that sign-in (it was already used or had expired). Please start again.',
  oauth_token_invalid:
    'We could not verify the answer from the provider, so we did not sign you in. Please start again; if it keeps happening, use an email link.',
  oauth_unavailable: 'The provider could not be reached just now. Please try again in a moment, or use an email link.',
  oauth_email_unverified:
    'The provider has not verified your email address, so we can’t tell whose account it is. Verify it there, or use an email link.',
  oauth_no_email: 'The provider did not tell us your email address. Allow Slotcast to see it, or use an email link.',
  oauth_disabled: 'This account can’t sign in. Contact the person who runs your Slotcast.',
  oauth_unknown_provider: 'That sign-in option isn’t available here. Use an email link instead.',
  oauth_rate_limited: 'Too many sign-in attempts from your network. Please wait a minute and try again.',
};

export function signInErrorMessage(code: string | null): string | null {
  if (!code) return null;
  return MESSAGES[code] ?? 'That sign-in did not work. Please start again, or use an email link.';
}
