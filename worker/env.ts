/**
 * The bottom of the Worker: bindings, configuration and the shapes of the messages the bindings carry. It
 * imports nothing of the Worker's own but the live protocol's types, so every module can import it without a
 * cycle (the Durable Object and the queue are described here by what callers may send them).
 */
import { z } from 'zod';
import type { LiveEnding } from '../shared/live-protocol.ts';

/** A queue message: one outbox row to send. */
export interface EmailJob {
  outboxId: string;
  /** Test mode only: the producer's clock shift, so the consumer decides at the same shifted time (clock.ts). */
  clockShiftMs?: number;
}

/**
 * A message on the `slotcast-email-events` queue: an event Cloudflare Email Service's event subscription
 * published (its shape is parsed where it is read, email/events.ts).
 */
export type EmailEventMessage = unknown;

/**
 * One view of a share link, buffered by the teacher's calendar object until it is written with the others
 * (live/link-views.ts). Its ids are chosen when the view happens, so writing it twice writes it once.
 */
export interface LinkViewRecord {
  /** The `link_events` row's id. */
  id: string;
  linkId: string;
  /** The request's now (the test clock included). */
  at: number;
}

/** What the Worker calls on a teacher's calendar object (implemented by live/teacher-calendar.ts). */
export interface TeacherCalendarRpc extends Rpc.DurableObjectBranded {
  /** `event`: a CalendarEvent (shared/live-protocol.ts) as JSON; publish.ts says why. */
  publish(teacherId: string, event: string): Promise<{ delivered: number }>;
  /** Closes at once every socket opened with the credential (a session or a share link) that just ended. */
  endCredential(credential: { kind: 'session' | 'link'; id: string }, ending: LiveEnding): Promise<number>;
  /** Keeps a share-link view in the object's storage (before answering) until the next flush. */
  recordLinkView(teacherId: string, view: LinkViewRecord): Promise<void>;
  /** Writes every buffered view to the database now; answers how many were written. */
  flushLinkViews(teacherId: string): Promise<number>;
}
import { oauthConfigShape, oauthConfigProblems } from './oauth-config.ts';

/** Bindings and variables the Worker receives (wrangler.toml, `--var`, secrets). */
export interface Env {
  ASSETS: Fetcher;
  TEACHER_CALENDAR: DurableObjectNamespace<TeacherCalendarRpc>;
  EMAIL_QUEUE: Queue<EmailJob>;
  RL_AUTH_EMAIL: RateLimit;
  RL_AUTH_IP: RateLimit;
  RL_PORTAL_READ: RateLimit;
  RL_PORTAL_WRITE: RateLimit;
  RL_API: RateLimit;
  /** Provider webhooks, per client address. */
  RL_EMAIL_EVENTS: RateLimit;
  /** A teacher sending a student's confirmation again, per teacher. */
  RL_TEACHER_EMAIL: RateLimit;
  /** A teacher's audit trail reads and CSV exports, per teacher. */
  RL_TEACHER_AUDIT: RateLimit;
  /** Requests with a session cookie, per client address, before the session is looked up. */
  RL_SESSION_IP: RateLimit;
  /** Per session: reads (GET, HEAD) and writes apart. */
  RL_SESSION_READ: RateLimit;
  RL_SESSION_WRITE: RateLimit;
  /** GET /api/health, per client address. */
  RL_HEALTH: RateLimit;
  /** Test mode only (SLOTCAST_TEST_CLOCK): lets tests publish an event as the subscription would. */
  EMAIL_EVENTS_QUEUE?: Queue<EmailEventMessage>;
  /** Cloudflare Email Service binding, when EMAIL_PROVIDER is "cloudflare". */
  EMAIL?: SendEmail;
  /**
   * Workers Analytics Engine dataset for request metrics, in production when bound (wrangler.toml); never
   * needed locally. One data point per /api request (metrics/middleware.ts).
   */
  REQUEST_METRICS?: AnalyticsEngineDataset;
  /** Secret: the operator's bearer token for GET /api/operator/health; unset, the endpoint is a 404. */
  OPERATOR_TOKEN?: string;
  /** "1" only on a stack started for tests: the X-Slotcast-Now header sets the request's time (clock.ts). */
  SLOTCAST_TEST_CLOCK?: string;
  [key: string]: unknown;
}

const configSchema = z.object({
  APP_URL: z.url({ message: 'APP_URL must be the public URL of the app, e.g. https://slotcast.example.com' }),
  DATABASE_URL: z
    .string()
    .regex(/^(libsql|https?|wss?):\/\//, 'DATABASE_URL must be a libsql://, https:// or http:// URL'),
  DATABASE_AUTH_TOKEN: z.string().optional(),
  SECRET_KEY: z.string().min(32, 'SECRET_KEY must be at least 32 characters of random data (base64url)'),
  EMAIL_PROVIDER: z.enum(['smtp', 'cloudflare', 'resend']).default('smtp'),
  EMAIL_FROM: z.string().min(3).default('Slotcast <no-reply@slotcast.test>'),
  SMTP_HOST: z.string().default('127.0.0.1'),
  SMTP_PORT: z.coerce.number().int().positive().default(2525),
  SMTP_SECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  SMTP_STARTTLS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  SMTP_USER: z.string().optional(),
  SMTP_PASS: z.string().optional(),
  RESEND_API_KEY: z.string().optional(),
  RESEND_API_URL: z.url().default('https://api.resend.com'),
  /** The signing secret of Resend's webhook (`whsec_…`); without it the webhook answers 503. */
  RESEND_WEBHOOK_SECRET: z.string().optional(),
  /** How often a watched calendar sends a heartbeat with the database's version. */
  LIVE_HEARTBEAT_MS: z.coerce.number().int().min(500).default(30_000),
  /** How long a calendar object keeps share-link views before writing them together (live/link-views.ts). */
  LINK_VIEW_FLUSH_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  ...oauthConfigShape,
});

export type Config = z.infer<typeof configSchema>;

const cache = new WeakMap<object, Config>();
const checkedSchema = configSchema.superRefine(oauthConfigProblems);
const CONFIG_KEYS = Object.keys(configSchema.shape);
/** The last parse and the raw values it was made from, for an env object this isolate hasn't seen yet. */
let last: { raw: unknown[]; config: Config } | null = null;

/**
 * Reads and validates configuration once per isolate; fails fast with the names to set. Called many times per
 * request (DESIGN.md, "Cost per request"), so the parse is cached by the env object, and an env object the
 * runtime hands over anew with the same values reuses the last parse after a comparison of the raw values.
 */
export function config(env: Env): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  const raw = CONFIG_KEYS.map((key) => env[key]);
  if (last && raw.every((value, i) => value === last!.raw[i])) {
    cache.set(env, last.config);
    return last.config;
  }
  const parsed = checkedSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Slotcast is misconfigured: ${problems}`);
  }
  cache.set(env, parsed.data);
  last = { raw, config: parsed.data };
  return parsed.data;
}
