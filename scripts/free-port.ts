import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A port that was free a moment ago on 127.0.0.1, for a stack to bind a little later. Drawn at random below the
 * kernel's ephemeral range: a port the kernel handed out (`listen(0)`) is free again once closed, and the next
 * `listen(0)` or outgoing connection of any process (the stack's own database and mailbox bind port 0 before
 * wrangler starts) could take it in between, which once left wrangler unable to bind and a whole test run
 * with nothing counted. The kernel never hands out a port below its range by itself.
 */
export async function freePort(): Promise<number> {
  const [low, high] = portRangeBelowEphemeral();
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await canListen(port)) return port;
  }
  throw new Error(`No free port found between ${low} and ${high} on 127.0.0.1.`);
}

/** Ports from 20000 up to the start of the kernel's ephemeral range (32768 when it can't be read). */
export function portRangeBelowEphemeral(): [number, number] {
  let ephemeralStart = 32768;
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(first) && first > 21000) ephemeralStart = first;
  } catch {
    // Not Linux: the usual start of the range.
  }
  return [20000, ephemeralStart];
}

function canListen(port: number): Promise<boolean> {
  return new Promise((answer) => {
    const server = createServer();
    server.once('error', () => answer(false));
    server.listen(port, '127.0.0.1', () => server.close(() => answer(true)));
  });
}
