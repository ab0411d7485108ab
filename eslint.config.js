// ESLint for the Worker, the scripts and tests (TypeScript) and the web app (Svelte 5). Formatting is
// Prettier's job: eslint-config-prettier switches off every rule that would argue with it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

export default ts.config(
  {
    ignores: [
      'node_modules/',
      'web/build/',
      'web/.svelte-kit/',
      '.data/',
      '.wrangler/',
      'test-results/',
      'bench/results/',
    ],
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  prettier,
  ...svelte.configs['flat/prettier'],
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      // `_`-prefixed names are deliberately unused (a handler's required parameter, a skipped tuple slot).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    files: ['**/*.svelte'],
    rules: {
      // Svelte trims whitespace at the edge of an element; `{' '}` is how a hidden word keeps its spoken space.
      'svelte/no-useless-mustaches': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    rules: {
      // The app is served from the site's root (no `paths.base`), so resolve() would only wrap every link in a no-op.
      'svelte/no-navigation-without-resolve': 'off',
    },
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
);
