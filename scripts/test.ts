/**
 * `npm test`: every test — unit, database conformance, integration in workerd, end to end in Chromium.
 * Arguments go to vitest, e.g. `npm test -- --project unit` or `npm test -- test/integration/auth.test.ts`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './stack.ts';

const report = join(ROOT, 'test-results', 'vitest.json');
mkdirSync(join(ROOT, 'test-results'), { recursive: true });
// A report left by an earlier run must not pass for this one's when vitest fails before writing its own.
rmSync(report, { force: true });
const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const result = spawnSync(
  process.execPath,
  [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { cwd: ROOT, stdio: 'inherit' },
);

// One plain closing line that any CI can read.
if (existsSync(report)) {
  const summary = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
  };
  console.log(
    `\n${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${summary.numPendingTests} skipped`,
  );
} else {
  console.log('\nvitest did not finish its run (see above); no tests counted.');
}
process.exit(result.status ?? 1);
