/**
 * `npm run dev`: the whole app on http://127.0.0.1:8787 with the demo data, the dev mailbox on
 * http://127.0.0.1:8025 (SMTP on 2525). PORT, MAILBOX_PORT, SMTP_PORT and DB_PORT change the ports.
 * Data stays in .data/ (SLOTCAST_DATA_DIR) between runs; delete that folder to start over.
 */
import { join } from 'node:path';
import { DEMO_TEACHER_EMAIL } from '../db/seed.ts';
import { DEFAULT_HTTP_PORT, DEFAULT_SMTP_PORT } from './mailbox/index.ts';
import { ROOT, startStack } from './stack.ts';

// Fixed mailbox ports, so its address stays the same between runs.
process.env.MAILBOX_PORT ??= String(DEFAULT_HTTP_PORT);
process.env.SMTP_PORT ??= String(DEFAULT_SMTP_PORT);

let stack: Awaited<ReturnType<typeof startStack>>;
try {
  stack = await startStack({ dataDir: process.env.SLOTCAST_DATA_DIR ?? join(ROOT, '.data'), seed: true });
} catch (error) {
  console.error(`\nCould not start Slotcast: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

console.log(`
  Slotcast is running.
    App:           ${stack.appUrl}
    Dev mailbox:   ${stack.mailboxUrl}   (every email the app sends lands here)
    Demo teacher:  ${DEMO_TEACHER_EMAIL}   (sign in with this address, then open the link in the mailbox)
    Demo school:   ${stack.schoolUrl}   ("Sign in with Demo School" on the sign-in page; any address, no password)
    Database:      ${stack.dbUrl}   (DATABASE_URL for npm run db:migrate / db:seed while this runs)
  Worker changes reload by themselves; web changes need a restart (or npm run build). Ctrl-C stops everything.
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
