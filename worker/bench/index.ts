/**
 * The Worker as `npm run bench -- fanout` runs it (`[env.bench]` in wrangler.toml, never deployed): the
 * production Worker plus a bare partyserver room, the broadcast baseline the live calendar is measured
 * against. Production's entry (worker/index.ts) doesn't import this file, so none of it ships.
 */
import worker from '../index.ts';
import type { EmailJob, Env } from '../env.ts';
import { BenchRoom } from './bench-room.ts';

export { TeacherCalendar } from '../index.ts';
export { BenchRoom };

type BenchEnv = Env & { BENCH_ROOM: DurableObjectNamespace<BenchRoom> };

const ROOM_PATH = /^\/api\/bench\/room\/([^/]+)\//;

export default {
  ...worker,
  /** `/api/bench/room/:room/*` goes to the room (a WebSocket, or a POST to broadcast); the rest to the app. */
  fetch(request: Request, env: BenchEnv, ctx: ExecutionContext) {
    const room = ROOM_PATH.exec(new URL(request.url).pathname)?.[1];
    if (!room) return worker.fetch(request, env, ctx);
    const headers = new Headers(request.headers);
    // partyserver reads the room name from this header when not routed through routePartykitRequest.
    headers.set('x-partykit-room', room);
    return env.BENCH_ROOM.get(env.BENCH_ROOM.idFromName(room)).fetch(new Request(request, { headers }));
  },
} satisfies ExportedHandler<BenchEnv, EmailJob>;
