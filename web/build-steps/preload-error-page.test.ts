import { describe, expect, it } from 'vitest';
import { errorPageModules, withPreloads } from './preload-error-page.ts';

const manifest = {
  '.svelte-kit/generated/client-optimized/nodes/0.js': { file: '_app/immutable/nodes/0.a.js', imports: ['_shared.js'] },
  '.svelte-kit/generated/client-optimized/nodes/1.js': {
    file: '_app/immutable/nodes/1.b.js',
    imports: ['_shared.js', '_error.js'],
  },
  '_shared.js': { file: '_app/immutable/chunks/shared.js' },
  '_error.js': { file: '_app/immutable/chunks/error.js', imports: ['_shared.js'] },
};

describe('preloading the root error page', () => {
  it('lists the error page and every module it imports', () => {
    expect(errorPageModules(manifest).sort()).toEqual([
      '_app/immutable/chunks/error.js',
      '_app/immutable/chunks/shared.js',
      '_app/immutable/nodes/1.b.js',
    ]);
  });

  it('adds the missing ones beside the layout’s preload, with the page’s own relative prefix', () => {
    const html = [
      '<link href="../_app/immutable/chunks/shared.js" rel="modulepreload">',
      '<link href="../_app/immutable/nodes/0.a.js" rel="modulepreload">',
    ].join('\n');
    const patched = withPreloads(html, errorPageModules(manifest));
    expect(patched).toContain('<link href="../_app/immutable/nodes/1.b.js" rel="modulepreload">');
    expect(patched).toContain('<link href="../_app/immutable/chunks/error.js" rel="modulepreload">');
    expect(patched.match(/chunks\/shared\.js/g)).toHaveLength(1);
  });
});
