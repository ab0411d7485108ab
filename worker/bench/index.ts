/**
 * The Worker as `npm run bench -- fanout` runs it (`[env.bench]` in wrangler.toml, never deployed): the
 * production Worker plus a bare partyserver room, the broadcast baseline the live calendar is measured
 * against. Production's entry (worker/index.ts) doesn't import this file, so none of it ships.
 */
import { createClient } from '@libsql/client/web';
import { sql } from 'drizzle-orm';
import worker from '../index.ts';
import { getDb, selectByName } from '../db.ts';
import type { EmailJob, Env } from '../env.ts';
import { BenchRoom } from './bench-room.ts';

export { TeacherCalendar } from '../index.ts';
export { BenchRoom };

type BenchEnv = Env & { BENCH_ROOM: DurableObjectNamespace<BenchRoom> };

const ROOM_PATH = /^\/api\/bench\/room\/([^/]+)\//;

/**
 * While true, the app's email queue sends every message an hour late, so no consumer runs while
 * `npm run bench -- cpu` measures a booking's request apart from the email the consumer sends for it (on
 * Cloudflare a separate invocation, with its own CPU limit); the request still pays its queue send. Release
 * enqueues every queued outbox row at once, and the bench measures their delivery. (Before, the consumer handed
 * each held message back, and that hand-back counted with the requests.) A late message that ever comes finds
 * its row sent and sends nothing. Module state: one isolate runs the fetch handler and the consumer.
 */
let holdingEmail = false;
const HOLD_SECONDS = 3600;

function holdingQueue(queue: Queue<EmailJob>): Queue<EmailJob> {
  return {
    metrics: () => queue.metrics(),
    send: (body, options) => queue.send(body, { ...options, delaySeconds: HOLD_SECONDS }),
    sendBatch: (messages, options) =>
      queue.sendBatch(
        [...messages].map((message) => ({ ...message, delaySeconds: HOLD_SECONDS })),
        options,
      ),
  };
}

/** Puts every queued outbox row on the queue now, as the outbox sweep would (a batch holds 100 messages). */
async function releaseHeldEmail(env: BenchEnv) {
  holdingEmail = false;
  const rows = await selectByName<{ id: string }>(getDb(env), sql`SELECT id FROM email_outbox WHERE status = 'queued'`);
  const ids = rows.map((row) => row.id);
  for (let i = 0; i < ids.length; i += 100)
    await env.EMAIL_QUEUE.sendBatch(ids.slice(i, i + 100).map((outboxId) => ({ body: { outboxId, clockShiftMs: 0 } })));
}

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
  // Everything a booking's (and a cancellation's) request hands the runtime, in one request and in order, with
  // none of Slotcast's code: two rate-limit checks (the address's, the link's), two round trips through getDb,
  // the outbox's queue send and the publish's call to an object. What any booking costs on this runtime.
  '/api/bench/bare/booking-plumbing': async (env) => {
    await env.RL_API.limit({ key: 'bench-ip' });
    await env.RL_API.limit({ key: 'bench-link' });
    const db = getDb(env);
    await db.run(sql`SELECT 1`);
    await db.run(sql`SELECT 1`);
    await env.EMAIL_QUEUE.sendBatch([{ body: { outboxId: 'bench-probe', clockShiftMs: 0 }, delaySeconds: 3600 }]);
    await env.BENCH_ROOM.get(env.BENCH_ROOM.idFromName('bare')).ping();
  },
  '/api/bench/bare/log': () => console.log(JSON.stringify({ method: 'GET', path: '/api/bench/bare/log', status: 200 })),
  '/api/bench/email/hold': () => {
    holdingEmail = true;
  },
  '/api/bench/email/release': releaseHeldEmail,
};

export default {
  ...worker,

  /** `/api/bench/room/:room/*` goes to the room (a WebSocket, or a POST to broadcast); the rest to the app. */
  fetch(request: Request, env: BenchEnv, ctx: ExecutionContext) {
    const { pathname } = new URL(request.url);
    const bare = BARE[pathname];
    if (bare) return Promise.resolve(bare(env)).then(() => new Response('{}'));
    const room = ROOM_PATH.exec(pathname)?.[1];
    if (!room)
      return worker.fetch(request, holdingEmail ? { ...env, EMAIL_QUEUE: holdingQueue(env.EMAIL_QUEUE) } : env, ctx);
    const headers = new Headers(request.headers);
    // partyserver reads the room name from this header when not routed through routePartykitRequest.
    headers.set('x-partykit-room', room);
    return env.BENCH_ROOM.get(env.BENCH_ROOM.idFromName(room)).fetch(new Request(request, { headers }));
  },
} satisfies ExportedHandler<BenchEnv, EmailJob>;
