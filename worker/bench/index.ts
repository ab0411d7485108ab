/**
 * The Worker as `npm run bench -- fanout` runs it (`[env.bench]` in wrangler.toml, never deployed): the
 * production Worker plus a bare partyserver room, the broadcast baseline the live calendar is measured
 * against. Production's entry (worker/index.ts) doesn't import this file, so none of it ships.
 */
import { createClient } from '@libsql/client/web';
import { sql } from 'drizzle-orm';
import worker from '../index.ts';
import { getDb } from '../db.ts';
import type { EmailJob, Env } from '../env.ts';
import { BenchRoom } from './bench-room.ts';

export { TeacherCalendar } from '../index.ts';
export { BenchRoom };

type BenchEnv = Env & { BENCH_ROOM: DurableObjectNamespace<BenchRoom> };

const ROOM_PATH = /^\/api\/bench\/room\/([^/]+)\//;

/**
 * While true, the email consumer hands every message of the outbox's queue back, to come again after
 * HOLD_SECONDS, and sends nothing: `npm run bench -- cpu` measures a booking's request apart from the email the
 * consumer sends for it (on Cloudflare a separate invocation, with its own CPU limit), then releases the held
 * emails and measures their delivery. Module state: the consumer runs in the same isolate as the fetch handler.
 */
let holdingEmail = false;
const HOLD_SECONDS = 30;

/**
 * What the runtime itself costs, without Slotcast (`npm run bench -- cpu` measures these in the same run as the
 * app's paths): an empty answer, one round trip to the database as a bare HTTP request (no client library, no
 * query builder), one rate-limit check, one log line. Each answers `{}`; none touches the app.
 */
const BARE: Record<string, (env: BenchEnv) => Promise<unknown> | unknown> = {
  '/api/bench/bare/empty': () => null,
  '/api/bench/bare/query': async (env) => {
    const url = new URL(
      'v2/pipeline',
      String(env.DATABASE_URL)
        .replace(/^libsql:/, 'http:')
        .replace(/\/?$/, '/'),
    );
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requests: [{ type: 'execute', stmt: { sql: 'SELECT 1' } }, { type: 'close' }] }),
    });
    return response.json();
  },
  '/api/bench/bare/libsql': (env) =>
    createClient({ url: String(env.DATABASE_URL), authToken: env.DATABASE_AUTH_TOKEN as string | undefined }).execute(
      'SELECT 1',
    ),
  '/api/bench/bare/drizzle': (env) => getDb(env).run(sql`SELECT 1`),
  '/api/bench/bare/rate-limit': (env) => env.RL_API.limit({ key: 'bench-bare' }),
  // A booking's queue send: one message in one sendBatch, as the outbox sends (email/outbox.ts). Delayed an
  // hour, so no consumer runs for it while the benchmark measures; if one ever does, no outbox row has the id.
  '/api/bench/bare/queue-send': (env) =>
    env.EMAIL_QUEUE.sendBatch([{ body: { outboxId: 'bench-probe', clockShiftMs: 0 }, delaySeconds: 3600 }]),
  // A booking's publish: one RPC call to a Durable Object that does nothing with it.
  '/api/bench/bare/object-call': (env) => env.BENCH_ROOM.get(env.BENCH_ROOM.idFromName('bare')).ping(),
  '/api/bench/bare/log': () => console.log(JSON.stringify({ method: 'GET', path: '/api/bench/bare/log', status: 200 })),
  '/api/bench/email/hold': () => {
    holdingEmail = true;
  },
  '/api/bench/email/release': () => {
    holdingEmail = false;
  },
};

export default {
  ...worker,
  async queue(batch: MessageBatch<EmailJob>, env: BenchEnv) {
    if (holdingEmail && batch.queue === 'slotcast-email') return batch.retryAll({ delaySeconds: HOLD_SECONDS });
    return worker.queue(batch, env);
  },
  /** `/api/bench/room/:room/*` goes to the room (a WebSocket, or a POST to broadcast); the rest to the app. */
  fetch(request: Request, env: BenchEnv, ctx: ExecutionContext) {
    const { pathname } = new URL(request.url);
    const bare = BARE[pathname];
    if (bare) return Promise.resolve(bare(env)).then(() => new Response('{}'));
    const room = ROOM_PATH.exec(pathname)?.[1];
    if (!room) return worker.fetch(request, env, ctx);
    const headers = new Headers(request.headers);
    // partyserver reads the room name from this header when not routed through routePartykitRequest.
    headers.set('x-partykit-room', room);
    return env.BENCH_ROOM.get(env.BENCH_ROOM.idFromName(room)).fetch(new Request(request, { headers }));
  },
} satisfies ExportedHandler<BenchEnv, EmailJob>;
