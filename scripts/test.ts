/** `npm test`: every test — unit, database conformance, integration in workerd, end to end in Chromium. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './stack.ts';

const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const result = spawnSync(process.execPath, [vitest, 'run', ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' });
process.exit(result.status ?? 1);
