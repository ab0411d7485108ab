/** `node db/server/main.ts --file .data/slotcast.db --port 8080 [--auth-token X]` */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { startLibsqlServer } from './index.ts';

const { values } = parseArgs({ options: { file: { type: 'string', default: '.data/slotcast.db' }, port: { type: 'string', default: '8080' }, host: { type: 'string', default: '127.0.0.1' }, 'auth-token': { type: 'string' } } });
if (values.file !== ':memory:') mkdirSync(dirname(values.file), { recursive: true });
const server = await startLibsqlServer({ file: values.file, port: Number(values.port), host: values.host, authToken: values['auth-token'] });
console.log(`libSQL dev server on ${server.url} (${values.file})`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await server.close();
    process.exit(0);
  });
}
