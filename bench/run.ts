/**
 * `npm run bench -- <name> [--flag value …]`: runs one benchmark, which prints JSON lines on stdout.
 * Progress notes go to stderr, so stdout stays machine-readable.
 */
export {};

const benches: Record<string, () => Promise<{ main(args: Map<string, string>): Promise<void> }>> = {
  fanout: () => import('./fanout.ts'),
  'booking-race': () => import('./booking-race.ts'),
  'calendar-read': () => import('./calendar-read.ts'),
  'slot-growth': () => import('./slot-growth.ts'),
  cpu: () => import('./cpu.ts'),
  'busy-hour': () => import('./busy-hour.ts'),
  reconnect: () => import('./reconnect.ts'),
  profile: () => import('./profile.ts'),
  'read-decode': () => import('./read-decode.ts'),
  codec: () => import('./codec.ts'),
};

const [name, ...rest] = process.argv.slice(2);
const args = new Map<string, string>();
for (let i = 0; i < rest.length; i++) {
  const flag = rest[i]!;
  if (!flag.startsWith('--')) continue;
  const next = rest[i + 1];
  if (next !== undefined && !next.startsWith('--')) {
    args.set(flag.slice(2), next);
    i++;
  } else args.set(flag.slice(2), 'true');
}

const load = name ? benches[name] : undefined;
if (!load) {
  console.error(`Usage: npm run bench -- <${Object.keys(benches).join('|')}> [options]`);
  process.exit(2);
}
await (await load()).main(args);
process.exit(0);
