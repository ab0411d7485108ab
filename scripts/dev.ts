/** `npm run dev`: the whole app on http://127.0.0.1:8787 (PORT to change), data kept under .data/. */
import { join } from 'node:path';
import { DEMO_TEACHER_EMAIL } from '../db/seed.ts';
import { ROOT, startStack } from './stack.ts';

// Fixed local ports for the mailbox, so its URL stays the same between runs.
process.env.MAILBOX_PORT ??= '8025';
process.env.SMTP_PORT ??= '2525';
const stack = await startStack({ dataDir: join(ROOT, '.data'), seed: true, build: true, quiet: false });
console.log(`
  Slotcast is running.
    App:           ${stack.appUrl}
    Dev mailbox:   ${stack.mailboxUrl}   (every email Slotcast sends lands here)
    Demo teacher:  ${DEMO_TEACHER_EMAIL}   (sign in with this address, then open the link in the mailbox)
  Ctrl-C stops everything; data stays in .data/.
`);
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await stack.stop();
    process.exit(0);
  });
}
