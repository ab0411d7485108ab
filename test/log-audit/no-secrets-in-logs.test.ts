/**
 * Runs last, on the stack every integration and end-to-end test used: the whole run's logs (wrangler's request
 * lines and the Worker's own, at log level `log`) are searched for every secret issued along the way.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { LEDGER_FILE, secretsIn, type TokenKind } from '../support/token-ledger.ts';
import { allEmails } from '../support/mailbox.ts';

describe('the logs of the whole run', () => {
  it('hold none of the tokens, keys, links or session ids issued during it', async () => {
    const dataDir = inject('dataDir');
    if (!existsSync(join(dataDir, LEDGER_FILE)))
      throw new Error(
        'No secrets were recorded: run this project together with the integration and e2e projects (npm test).',
      );
    const issued = new Map<string, TokenKind>();
    for (const line of readFileSync(join(dataDir, LEDGER_FILE), 'utf8').split('\n').filter(Boolean)) {
      const { kind, value } = JSON.parse(line) as { kind: TokenKind; value: string };
      issued.set(value, kind);
    }
    const emails = await allEmails();
    for (const email of emails)
      for (const { kind, value } of secretsIn(`${email.text}\n${email.html ?? ''}`)) issued.set(value, kind);

    // Not vacuous: the run issued every kind of secret, in numbers.
    const counts = Object.fromEntries(
      (['session', 'api_key', 'share_link', 'sign_in', 'oauth'] as const).map((kind) => [
        kind,
        [...issued.values()].filter((k) => k === kind).length,
      ]),
    );
    for (const [kind, count] of Object.entries(counts)) expect(count, `${kind} secrets issued`).toBeGreaterThan(5);

    const log = readFileSync(join(dataDir, 'wrangler.log'), 'utf8');
    // And the log is the real one: the Worker's own request lines and wrangler's, for token-carrying paths too.
    expect(log).toContain('"path":"/api/booking/[token]/calendar"');
    expect(log).toMatch(/\[wrangler:info\] GET \/api\/booking\/\S+\/calendar/);
    expect(log).toMatch(/\[wrangler:info\] POST \/api\/auth\/magic-link\/verify/);
    // Sign-in callbacks carry the code and state in the query: the lines show the path alone.
    expect(log).toMatch(/\[wrangler:info\] GET \/api\/auth\/oauth\/school\/callback 303/);

    const leaked: string[] = [];
    for (const [value, kind] of issued) {
      // A session token is `<id>.<secret>`: neither half may appear.
      const parts = kind === 'session' ? [value, ...value.split('.')] : [value];
      if (parts.some((part) => log.includes(part))) leaked.push(`${kind} ${value.slice(0, 6)}…`);
    }
    expect(leaked, `searched ${issued.size} secrets in ${log.length} characters of logs`).toEqual([]);
    // Nobody's address in a log line either (the tests' people all live at example.test).
    expect(log.match(/[^\s"'<>]+@example\.test/g) ?? []).toEqual([]);
  });

  it('leave none of them in any other file the stack wrote: databases, wrangler state, traces', () => {
    const dataDir = inject('dataDir');
    const issued = issuedSecrets(dataDir);
    // wrangler's local trace store would keep every request's full URL: it must not exist at all.
    expect(existsSync(join(dataDir, 'wrangler', 'v3', 'observability'))).toBe(false);

    const files = filesUnder(dataDir).filter((file) => !NOT_STORES.some((skip) => file.startsWith(skip)));
    // Not vacuous: the app's database and the Durable Objects' and rate limiters' stores are among them.
    expect(files).toEqual(expect.arrayContaining(['slotcast.db']));
    expect(files.some((file) => file.startsWith('wrangler/v3/do/'))).toBe(true);
    expect(files.some((file) => file.startsWith('wrangler/v3/ratelimit/'))).toBe(true);

    const leaked: string[] = [];
    for (const file of files) {
      // SQLite pages and WAL frames hold text as raw bytes: latin1 keeps every byte as one character.
      const bytes = readFileSync(join(dataDir, file)).toString('latin1');
      for (const [value, kind] of issued) {
        // A session id is a primary key by design (only the secret half is hashed), so only the secret counts;
        // a link token's first 16 characters would already narrow a guess, so they count on their own.
        const parts =
          kind === 'session' ? [value.split('.')[1]!] : kind === 'api_key' ? [value] : [value, value.slice(0, 16)];
        if (parts.some((part) => bytes.includes(part))) leaked.push(`${file}: ${kind} ${value.slice(0, 6)}…`);
      }
    }
    expect(leaked, `searched ${issued.size} secrets in ${files.length} files`).toEqual([]);
  });
});

/**
 * Where secrets live by design: the dev mailbox's copies of the emails (sign-in links are their point), the
 * ledger of issued secrets itself, the Worker's secret key and secrets file, and wrangler's own log (searched
 * above).
 */
const NOT_STORES = ['mail/', LEDGER_FILE, 'secret-key', 'worker-secrets.env', 'wrangler.log'];

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? filesUnder(dir, path) : [path];
  });
}

function issuedSecrets(dataDir: string): Map<string, TokenKind> {
  const issued = new Map<string, TokenKind>();
  for (const line of readFileSync(join(dataDir, LEDGER_FILE), 'utf8').split('\n').filter(Boolean)) {
    const { kind, value } = JSON.parse(line) as { kind: TokenKind; value: string };
    issued.set(value, kind);
  }
  return issued;
}
