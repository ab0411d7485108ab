import { describe, expect, it } from 'vitest';
import { FRAME_LIMIT, fullBucket, takeToken } from './limits.ts';
import { parseClientMessage } from './client-message.ts';

describe('messages per socket', () => {
  it('allows a burst, then only the sustained rate', () => {
    const bucket = fullBucket(0);
    for (let i = 0; i < FRAME_LIMIT.burst; i++) expect(takeToken(bucket, 0)).toBe(true);
    expect(takeToken(bucket, 0)).toBe(false);
    // One token per 1/perSecond seconds comes back.
    expect(takeToken(bucket, 1000 / FRAME_LIMIT.perSecond)).toBe(true);
    expect(takeToken(bucket, 1000 / FRAME_LIMIT.perSecond)).toBe(false);
  });

  it('never holds more than the burst after a quiet spell', () => {
    const bucket = fullBucket(0);
    let taken = 0;
    while (takeToken(bucket, 3_600_000)) taken++;
    expect(taken).toBe(FRAME_LIMIT.burst);
  });
});

describe('client messages', () => {
  it('reads the protocol’s pings and syncs', () => {
    expect(parseClientMessage('{"type":"ping"}')).toEqual({ type: 'ping' });
    expect(parseClientMessage('{"type":"sync","since":4}')).toEqual({ type: 'sync', since: 4 });
  });

  it('refuses anything else', () => {
    for (const junk of [
      'hello',
      '{"type":"publish"}',
      '{"type":"sync","since":"4"}',
      '{"type":"sync","since":1.5}',
      '[]',
      'null',
      `{"type":"ping","x":"${'a'.repeat(2000)}"}`,
    ])
      expect(parseClientMessage(junk)).toBeNull();
    expect(parseClientMessage(new ArrayBuffer(3))).toBeNull();
  });
});
