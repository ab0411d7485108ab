import { defineConfig } from 'vitest/config';

/**
 * `npm test` runs every project. Integration (HTTP + WebSockets against workerd) and end-to-end (Chromium)
 * tests share one real stack, started by test/setup/stack-global.ts only when either has tests to run; the
 * browser tests run last, on their own, so they don't compete with the rest for two cores.
 */
const stackProject = { environment: 'node' as const, globalSetup: ['test/setup/stack-global.ts'], hookTimeout: 60_000 };

/**
 * A project whose tests start stacks of their own (test/support/own-stack.ts): after the shared stack's tests,
 * one file at a time, so the extra workerd doesn't compete with the rest for two cores.
 */
const ownStackProject = (name: string, include: string) => ({
  test: {
    name,
    include: [include],
    environment: 'node' as const,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
    sequence: { groupOrder: 2 },
  },
});

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
            'web/build-steps/**/*.test.ts',
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
      // Each email provider on a stack of its own (the provider is configuration), and the app as deployed
      // behind https (an https APP_URL): after the shared stack's tests, one file at a time.
      ownStackProject('providers', 'test/providers/**/*.test.ts'),
      ownStackProject('deployment', 'test/deployment/**/*.test.ts'),
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
