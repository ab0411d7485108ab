/** `npm test`: every test — unit, database conformance, integration in workerd, end to end in Chromium. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './stack.ts';

const report = join(ROOT, 'test-results', 'vitest.json');
mkdirSync(join(ROOT, 'test-results'), { recursive: true });
const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const result = spawnSync(process.execPath, [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' });

// One plain closing line that any CI can read.
if (existsSync(report)) {
  const summary = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number };
  console.log(`\n${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${summary.numPendingTests} skipped`);
}
process.exit(result.status ?? 1);
