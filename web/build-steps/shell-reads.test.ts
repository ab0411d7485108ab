import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { withInlineScript } from './shell-reads.ts';

const shell = [
  '<title>Slotcast</title>',
  `<meta http-equiv="content-security-policy" content="default-src 'self'; script-src 'self' 'sha256-kit='; style-src 'self'">`,
  '<link href="../../_app/immutable/assets/0.css" rel="stylesheet">',
].join('\n');

describe('inlining a shell’s first-reads script', () => {
  it('puts the script before the stylesheets and allows exactly it by its hash', () => {
    const code = 'fetch("/api/auth/me")';
    const html = withInlineScript(shell, code);
    const hash = createHash('sha256').update(code).digest('base64');
    expect(html).toContain(`script-src 'self' 'sha256-kit=' 'sha256-${hash}';`);
    expect(html.indexOf(`<script>${code}</script>`)).toBeGreaterThan(html.indexOf('content-security-policy'));
    expect(html.indexOf(`<script>${code}</script>`)).toBeLessThan(html.indexOf('rel="stylesheet"'));
    expect(html).not.toContain('unsafe-inline');
  });

  it('refuses code that would end the script element, and a shell without a policy to allow it in', () => {
    expect(() => withInlineScript(shell, 'x = "</script>"')).toThrow();
    expect(() => withInlineScript('<title>Slotcast</title>', 'x = 1')).toThrow();
  });
});
