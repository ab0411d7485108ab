import { describe, expect, it } from 'vitest';
import { escapeHtml, safeUrl } from './escape.ts';
import { renderEmail } from './index.ts';

describe('the sign-in email', () => {
  const link = 'https://app.example/login/verify#token=abc234';
  it('has the link in both the HTML and the text version', () => {
    const email = renderEmail('sign-in', { link, expiresInMinutes: 15, kind: 'login' });
    expect(email.subject).toBe('Your Slotcast sign-in link');
    expect(email.html).toContain(`href="${link}"`);
    expect(email.text).toContain(link);
    expect(email.text).toContain('15 minutes');
  });
  it('invites an unknown address to create an account', () => {
    expect(renderEmail('sign-in', { link, expiresInMinutes: 15, kind: 'signup' }).subject).toBe(
      'Create your Slotcast account',
    );
  });
  it('escapes what it is given and refuses non-http links', () => {
    const email = renderEmail('sign-in', { link: 'javascript:alert(1)', expiresInMinutes: 15, kind: 'login' });
    expect(email.html).not.toContain('href="javascript:');
    expect(escapeHtml('<b>"x"</b>')).toBe('&lt;b&gt;&quot;x&quot;&lt;/b&gt;');
    expect(safeUrl('data:text/html,x')).toBe('#');
  });
});
