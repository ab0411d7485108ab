/**
 * Runs last, on the stack every integration and end-to-end test used: the whole run's logs (wrangler's request
 * lines and the Worker's own, at log level `log`) are searched for every secret issued along the way.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { LEDGER_FILE, secretsIn, type TokenKind } from '../support/token-ledger.ts';
import type { StoredEmail } from '../../scripts/mailbox/store.ts';

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
    const emails = (await (await fetch(`${inject('mailboxUrl')}/api/messages`)).json()) as StoredEmail[];
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
  });
});
