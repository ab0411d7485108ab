import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { maskRequestLine, maskRequestLines } from './mask-request-lines.ts';

describe('masking wrangler’s request lines', () => {
  it('replaces tokens in paths and drops query strings', () => {
    expect(
      maskRequestLine('[wrangler:info] GET /api/booking/abcdefghijklmnopqrstuvwxyz234567/calendar 200 OK (34ms)'),
    ).toBe('[wrangler:info] GET /api/booking/[token]/calendar 200 OK (34ms)');
    expect(maskRequestLine('[wrangler:info] GET /book/t-1/abcdefghijklmnop?week=2027-01-04 200 OK (3ms)')).toBe(
      '[wrangler:info] GET /book/t-1/[token]?[query] 200 OK (3ms)',
    );
    expect(maskRequestLine('[wrangler:info] GET /api/live/link/secret 101 Switching Protocols (5ms)')).toBe(
      '[wrangler:info] GET /api/live/link/[token] 101 Switching Protocols (5ms)',
    );
    expect(maskRequestLine('[wrangler:info] POST /api/booking/confirm 201 Created (40ms)')).toBe(
      '[wrangler:info] POST /api/booking/confirm 201 Created (40ms)',
    );
    expect(maskRequestLine('{"method":"GET","path":"/api/health"}')).toBe('{"method":"GET","path":"/api/health"}');
  });

  it('masks lines split across chunks', async () => {
    const source = Readable.from([
      Buffer.from('[wrangler:info] GET /api/booking/sec'),
      Buffer.from('rettoken/calendar 200 OK\nplain line\n[wrangler:info] GET /api/live/link/zz'),
    ]);
    let out = '';
    for await (const chunk of source.pipe(maskRequestLines())) out += chunk;
    expect(out).toBe(
      '[wrangler:info] GET /api/booking/[token]/calendar 200 OK\nplain line\n[wrangler:info] GET /api/live/link/[token]',
    );
  });
});
