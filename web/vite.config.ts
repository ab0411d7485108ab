import staticAdapter from '@sveltejs/adapter-static';
import type { Adapter } from '@sveltejs/kit';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';
import { inlineShellReads } from './build-steps/shell-reads.ts';
import { preloadErrorPage } from './build-steps/preload-error-page.ts';

// A single-page app: the Worker serves index.html for every non-API path it has no prerendered shell for.
const spa = staticAdapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true });
/**
 * adapter-static, then the error page's preloads added to the HTML it wrote (build-steps/preload-error-page.ts),
 * and the portal's and the student dashboard's first reads inlined in their shells (build-steps/shell-reads.ts).
 */
const adapter: Adapter = {
  ...spa,
  async adapt(builder) {
    await spa.adapt(builder);
    preloadErrorPage('build', builder.getClientDirectory());
    await inlineShellReads('build');
  },
};

export default defineConfig({
  plugins: [
    sveltekit({
      adapter,
      // Scripts: our own files, and the inline bootstrap script by its hash (a <meta> CSP in index.html;
      // static/_headers adds the directives a <meta> can't carry). No 'unsafe-inline' for scripts. The portal's and
      // the student dashboard's shells carry one more inline script, and its hash (build-steps/shell-reads.ts).
      csp: {
        mode: 'hash',
        directives: {
          'default-src': ['self'],
          'script-src': ['self'],
          'style-src': ['self', 'unsafe-inline'],
          'img-src': ['self', 'data:', 'blob:'],
          'connect-src': ['self'],
          'object-src': ['none'],
          'base-uri': ['self'],
          'form-action': ['self'],
        },
      },
    }),
  ],
  build: { target: 'es2022' },
});
