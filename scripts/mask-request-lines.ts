/**
 * `wrangler dev` prints a line per request (`[wrangler:info] GET /api/booking/<token>/calendar 200 OK`) with
 * the raw path, which holds share-link tokens. The local stack passes wrangler's output through this before it
 * reaches the terminal or wrangler.log, so local logs follow the Worker's own rule: paths masked, no query.
 */
import { Transform } from 'node:stream';
import { maskPath } from '../worker/log/mask.ts';

const REQUEST_LINE = /^(.*\[wrangler:\w+\] [A-Z]+ )(\S+)(.*)$/;

export function maskRequestLine(line: string): string {
  const match = REQUEST_LINE.exec(line);
  if (!match) return line;
  const [, head, target, tail] = match as unknown as [string, string, string, string];
  const query = target.indexOf('?');
  const path = query === -1 ? target : target.slice(0, query);
  return `${head}${maskPath(path)}${query === -1 ? '' : '?[query]'}${tail}`;
}

/** A line-buffered stream that masks every request line passing through. */
export function maskRequestLines(): Transform {
  let pending = '';
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      done(null, lines.map((line) => maskRequestLine(line) + '\n').join(''));
    },
    flush(done) {
      done(null, pending ? maskRequestLine(pending) : '');
    },
  });
}
