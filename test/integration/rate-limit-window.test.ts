/**
 * `Retry-After` on a 429 is the time the limiter's window really has left, and waiting that long is enough.
 * The limiter counts on the runtime's wall clock (the test clock doesn't move it), so this test runs in real
 * time: it starts its burst near the end of a window, so the wait is seconds, not a minute.
 */
import { describe, expect, it } from 'vitest';
import { testClient } from '../support/client.ts';
import { uniqueIp } from '../support/stack.ts';
import { nearEndOfRateWindow, secondsLeftInRateWindow } from '../support/time.ts';

describe('Retry-After', () => {
  it('says how long the window has left, and a request after that time goes through', async () => {
    // POST /api/auth/magic-link/inspect allows 30 a minute per address, counted before the token is looked up.
    await nearEndOfRateWindow(10, 20);
    const client = testClient({ ip: uniqueIp() });
    const inspect = () => client.post('/api/auth/magic-link/inspect', { token: 'a'.repeat(32) });
    for (let i = 0; i < 30; i++) expect((await inspect()).status).toBe(400);
    const leftBefore = secondsLeftInRateWindow();
    const refused = await inspect();
    const leftAfter = secondsLeftInRateWindow();
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil(leftBefore));
    expect(retryAfter).toBeGreaterThanOrEqual(Math.floor(leftAfter));
    expect(refused.body.error.message).toContain(`${retryAfter} second`);

    // A wait for the time the answer named (a clock condition, not a guess).
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    expect((await inspect()).status).toBe(400);
  }, 90_000);
});
