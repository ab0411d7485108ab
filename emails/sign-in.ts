import { composeEmail, type RenderedEmail } from './layout.ts';

export interface SignInPayload {
  /** The landing page URL carrying the one-time token in its fragment. */
  link: string;
  expiresInMinutes: number;
  /** A sign-up link creates a teacher account for an address Slotcast doesn't know yet. */
  kind: 'login' | 'signup';
}

export function signInEmail(payload: SignInPayload): RenderedEmail {
  const signup = payload.kind === 'signup';
  const action = signup ? 'Create account' : 'Sign in';
  return composeEmail({
    subject: signup ? 'Create your Slotcast account' : 'Your Slotcast sign-in link',
    blocks: [
      { kind: 'title', text: signup ? 'Welcome to Slotcast' : 'Sign in to Slotcast' },
      {
        kind: 'text',
        text: signup
          ? 'Use the button below to create your teacher account and sign in.'
          : 'Use the button below to sign in to Slotcast.',
      },
      { kind: 'action', label: action, url: payload.link },
      { kind: 'text', text: `The link works once and expires in ${payload.expiresInMinutes} minutes.` },
      { kind: 'fallback', url: payload.link },
    ],
    reason:
      "You received this email because someone asked to sign in with this address. If it wasn't you, you can ignore it: nothing happens until the link is opened.",
  });
}
