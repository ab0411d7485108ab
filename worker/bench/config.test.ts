/**
 * wrangler doesn't let an environment inherit bindings, so `[env.bench]` restates the production Worker's.
 * This keeps the two in step: the benchmark's Worker has every binding production has, plus its room.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const BINDING_TABLES = ['durable_objects.bindings', 'queues.producers', 'queues.consumers', 'send_email', 'ratelimits'];

/** `table → binding names` for the top level (env = '') or one environment, from wrangler.toml's text. */
function bindings(toml: string, env: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let table: string | null = null;
  for (const line of toml.split('\n')) {
    const header = /^\[\[(.+)\]\]\s*$/.exec(line)?.[1] ?? (/^\[(.+)\]\s*$/.exec(line) ? '' : undefined);
    if (header !== undefined) {
      const prefix = env ? `env.${env}.` : '';
      const name = header.startsWith(prefix) ? header.slice(prefix.length) : null;
      table = name && BINDING_TABLES.includes(name) ? name : null;
      continue;
    }
    const value = /^(?:name|binding|queue)\s*=\s*"([^"]+)"/.exec(line)?.[1];
    if (table && value) found.set(table, [...(found.get(table) ?? []), value]);
  }
  return found;
}

describe('the benchmark’s wrangler environment', () => {
  const toml = readFileSync(new URL('../../wrangler.toml', import.meta.url), 'utf8');

  it('has every binding of the production Worker, and the room only it has', () => {
    const production = bindings(toml, '');
    const bench = bindings(toml, 'bench');
    expect(production.get('durable_objects.bindings')).toEqual(['TEACHER_CALENDAR']);
    for (const table of BINDING_TABLES) {
      const extra = table === 'durable_objects.bindings' ? ['BENCH_ROOM'] : [];
      expect(bench.get(table) ?? [], table).toEqual([...(production.get(table) ?? []), ...extra]);
    }
  });
});
