import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, portRangeBelowEphemeral } from './free-port.ts';

describe('a free port for a stack', () => {
  it('is below the kernel’s ephemeral range, so no listen(0) or outgoing connection takes it in between', async () => {
    const [low, high] = portRangeBelowEphemeral();
    expect(low).toBe(20000);
    expect(high).toBeGreaterThan(low);
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      expect(port).toBeGreaterThanOrEqual(low);
      expect(port).toBeLessThan(high);
    }
  });

  it('can be listened on when handed out', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});
