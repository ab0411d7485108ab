import { defineConfig } from 'vitest/config';

/**
 * `npm test` runs every project. Integration (HTTP + WebSockets against workerd) and end-to-end (Chromium)
 * tests share one real stack, started by test/setup/stack-global.ts only when either has tests to run; the
 * browser tests run last, on their own, so they don't compete with the rest for two cores.
 */
const stackProject = { environment: 'node' as const, globalSetup: ['test/setup/stack-global.ts'], hookTimeout: 60_000 };

export default defineConfig({
  test: {
    projects: [
      {
        // The root tsconfig for every unit test, web/src/lib's pure modules too: web's own extends a file
        // that only `svelte-kit sync` writes.
        tsconfig: 'tsconfig.json',
        test: {
          name: 'unit',
          include: [
            'shared/**/*.test.ts',
            'worker/**/*.test.ts',
            'emails/**/*.test.ts',
            'scripts/**/*.test.ts',
            'db/**/*.test.ts',
            'test/support/**/*.test.ts',
            'web/src/lib/**/*.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'db',
          include: ['test/db/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          ...stackProject,
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 30_000,
          maxWorkers: 2,
        },
      },
      {
        test: {
          ...stackProject,
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          // Each email provider on a stack of its own (test/providers), after the rest, so the extra workerd
          // doesn't compete with the shared stack's tests for two cores.
          name: 'providers',
          include: ['test/providers/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 120_000,
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
      {
        test: {
          // The app as deployed behind https (an https APP_URL), on a stack of its own, after the shared stack's tests.
          name: 'deployment',
          include: ['test/deployment/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 120_000,
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
      {
        test: {
          ...stackProject,
          // Last: searches the shared stack's logs of the whole run for every secret the run issued.
          name: 'log-audit',
          include: ['test/log-audit/**/*.test.ts'],
          maxWorkers: 1,
          sequence: { groupOrder: 3 },
        },
      },
    ],
  },
});
