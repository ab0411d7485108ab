import { escapeHtml } from './escape.ts';
import { button, layout, paragraph, type RenderedEmail } from './layout.ts';

export interface SignInPayload {
  /** The landing page URL carrying the one-time token in its fragment. */
  link: string;
  expiresInMinutes: number;
  /** A sign-up link creates a teacher account for an address Slotcast doesn't know yet. */
  kind: 'login' | 'signup';
}

export function signInEmail(payload: SignInPayload): RenderedEmail {
  const signup = payload.kind === 'signup';
  const subject = signup ? 'Create your Slotcast account' : 'Your Slotcast sign-in link';
  const intro = signup
    ? 'Welcome to Slotcast. Use the button below to create your teacher account and sign in.'
    : 'Use the button below to sign in to Slotcast.';
  const expiry = `The link works once and expires in ${payload.expiresInMinutes} minutes.`;
  const action = signup ? 'Create account' : 'Sign in';
  return {
    subject,
    html: layout(
      subject,
      paragraph(intro) +
        button(action, payload.link) +
        paragraph(expiry) +
        paragraph('If the button does not work, copy this address into your browser:') +
        `<p style="margin:0 0 16px;word-break:break-all;font-size:13px">${escapeHtml(payload.link)}</p>`,
    ),
    text: `${intro}\n\n${action}: ${payload.link}\n\n${expiry}\n\nIf you did not ask for this, you can ignore this email.\n`,
  };
}
