import { Hono } from 'hono';
import { config } from '../env.ts';
import type { AppEnv } from '../http/types.ts';

/**
 * The baseline of `npm run bench -- fanout`: a minimal partyserver room, triggered by one HTTP request, in the
 * same runtime. Answers 404 unless BENCH_ENABLED=1, so production never exposes an open broadcast room.
 */
export const benchRoutes = new Hono<AppEnv>().all('/room/:room/*', async (c) => {
  if (config(c.env).BENCH_ENABLED !== '1')
    return c.json({ error: { code: 'not_found', message: 'No such endpoint.' } }, 404);
  const stub = c.env.BENCH_ROOM.get(c.env.BENCH_ROOM.idFromName(c.req.param('room')));
  const headers = new Headers(c.req.raw.headers);
  // partyserver reads the room name from these headers when not routed through routePartykitRequest.
  headers.set('x-partykit-room', c.req.param('room'));
  return stub.fetch(new Request(c.req.raw, { headers }));
});
