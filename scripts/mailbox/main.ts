/**
 * The dev mailbox on its own, for running `wrangler dev` by hand: `node scripts/mailbox/main.ts`.
 * SMTP_PORT (2525), MAILBOX_PORT (8025) and MAILBOX_DATA_DIR (.data) change where it listens and stores.
 */
import { join } from 'node:path';
import { DEFAULT_HTTP_PORT, DEFAULT_SMTP_PORT, startMailbox } from './index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const mailbox = await startMailbox({
  dataDir: process.env.MAILBOX_DATA_DIR ?? join(ROOT, '.data'),
  smtpPort: Number(process.env.SMTP_PORT ?? DEFAULT_SMTP_PORT),
  httpPort: Number(process.env.MAILBOX_PORT ?? DEFAULT_HTTP_PORT),
});
console.log(`Dev mailbox: ${mailbox.url} (SMTP on 127.0.0.1:${mailbox.smtpPort}). Ctrl-C stops it.`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void mailbox.close().then(() => process.exit(0)));
}
