/**
 * TeacherCalendar: one Durable Object per teacher. It holds the live WebSockets (hibernation API) and the most
 * recent calendar events. It is not the source of truth: routes publish here after their batch commits.
 */
import { describeForLog } from '../log/mask.ts';
import { DurableObject } from 'cloudflare:workers';
import { shiftedNow } from '../clock.ts';
import { getDb } from '../db.ts';
import { config, type Env, type LinkViewRecord } from '../env.ts';
import { eventPayloads } from './audience.ts';
import { CatchUpAnswers } from './catch-up.ts';
import { parseClientMessage } from './client-message.ts';
import {
  credentialEnding,
  credentialTag,
  type CredentialRows,
  type LiveCredential,
  type SocketAttachment,
  type SocketRequest,
} from './credentials.ts';
import { readHeartbeatState } from './heartbeat-read.ts';
import { FLUSH_BATCH_MAX, FLUSH_WHEN_PENDING, LinkViewBuffer, writeLinkViews } from './link-views.ts';
import { addressTag, fullBucket, SOCKET_CAPS, takeToken, type TokenBucket } from './limits.ts';
import { ReconnectSpread } from './reconnect-spread.ts';
import { issueTicket, TICKET_LIFETIME_MS } from './ticket.ts';
import {
  closeCodeFor,
  ENDING_MESSAGES,
  LIVE_CLOSE,
  type CalendarEvent,
  type LiveEnding,
  type ServerMessage,
} from '../../shared/live-protocol.ts';

/** Events kept for catch-up after a reconnect; older gaps are answered with `resync`. */
export const RECENT_EVENTS = 200;

/** How long an ended credential is remembered: longer than any ticket made before the end can be presented. */
const ENDED_MEMORY_MS = 2 * TICKET_LIFETIME_MS;

/** A socket opened with a ticket has its credential read from the database within this long. */
const TICKET_CHECK_MS = 5_000;

const attachmentOf = (ws: WebSocket) => ws.deserializeAttachment() as SocketAttachment | null;

/** Sends; false when the socket is closing (hibernation cleans it up), which is no error for the others. */
function sendPayload(ws: WebSocket, payload: string): boolean {
  try {
    ws.send(payload);
    return true;
  } catch {
    return false;
  }
}

export class TeacherCalendar extends DurableObject<Env> {
  private version: number | null = null;
  private teacherId: string | null = null;
  /** Each socket's message allowance. In memory: after a wake from hibernation every socket starts full. */
  private readonly buckets = new WeakMap<WebSocket, TokenBucket>();
  /** Share-link views waiting to be written together (link-views.ts). */
  private readonly views: LinkViewBuffer;
  /** The flush under way, so a second caller waits for it instead of writing the same views alongside. */
  private flushing: Promise<number> | null = null;
  /** How widely the watchers should spread their way back after a drop (reconnect-spread.ts). */
  private readonly spread = new ReconnectSpread();
  /** Catch-ups worked out once per starting version (catch-up.ts). */
  private readonly catchUps: CatchUpAnswers;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.views = new LinkViewBuffer(ctx.storage.sql);
    this.catchUps = new CatchUpAnswers((since) =>
      ctx.storage.sql
        .exec<{ version: number; body: string }>(
          'SELECT version, body FROM events WHERE version > ? ORDER BY version',
          since,
        )
        .toArray(),
    );
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS events (version INTEGER PRIMARY KEY, body TEXT NOT NULL)');
      // Credentials ended here lately (sign-out, revocation): a ticket made before the end must not reopen them.
      ctx.storage.sql.exec(
        'CREATE TABLE IF NOT EXISTS ended_credentials (tag TEXT PRIMARY KEY, ending TEXT NOT NULL, until INTEGER NOT NULL)',
      );
      this.version = (await ctx.storage.get<number>('version')) ?? 0;
      this.teacherId = (await ctx.storage.get<string>('teacherId')) ?? null;
    });
    // One line per start or wake from hibernation: how often the object is cold is worth seeing in logs.
    console.log(JSON.stringify({ at: 'TeacherCalendar.start', sockets: ctx.getWebSockets().length }));
  }

  /**
   * WebSocket upgrade, already authenticated by the Worker, which passes who is watching and with what
   * credential in one header. Refused with 429 before the upgrade when the credential or the client's address
   * already holds its share of sockets (limits.ts).
   */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket')
      return new Response('Expected a WebSocket', { status: 426 });
    const socket = JSON.parse(request.headers.get('x-slotcast-socket') ?? 'null') as SocketRequest | null;
    if (!socket) return new Response('Missing socket request', { status: 400 });
    const refusal = this.capRefusal(socket);
    if (refusal) return refusal;
    await this.rememberTeacher(socket.teacherId);
    await this.observeVersion(socket.version);
    const { audience, credential } = socket;
    const tags = [
      ...(audience.kind === 'teacher' ? ['teacher'] : ['student', `student:${audience.studentId}`]),
      credentialTag(credential),
      addressTag(socket.address),
    ];
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], tags);
    pair[1].serializeAttachment({
      audience,
      credential,
      address: socket.address,
      clockShiftMs: socket.clockShiftMs,
      binding: socket.binding,
    } satisfies SocketAttachment);
    const ended = socket.viaTicket ? this.endedLately(credential) : null;
    if (ended) {
      // Accepted only to be closed with the reason: a refused upgrade would tell the browser nothing.
      this.closeEnded(pair[1], ended);
      return new Response(null, { status: 101, webSocket: pair[0] });
    }
    const { windowMs, widened } = this.spread.accepted(() => this.ctx.getWebSockets().length);
    if (widened) this.announceWindow(windowMs, pair[1]);
    const since = socket.since;
    this.send(pair[1], {
      type: 'hello',
      version: this.version ?? 0,
      reconnectWindowMs: windowMs,
      ...(since === undefined ? {} : { since }),
    });
    // The client said which version it holds: its catch-up goes now, without a `sync` round trip (none when it
    // is up to date: the hello's version says so).
    if (since !== undefined && since < (this.version ?? 0)) this.catchUp(pair[1], since);
    if (socket.viaTicket) await this.checkCredentialsSoon();
    else await this.ensureHeartbeat();
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  /**
   * RPC from routes after a commit (publish.ts): fan the event out, filtered per audience, and keep it for
   * catch-up. The event comes as JSON, the form it is stored in.
   */
  async publish(teacherId: string, eventJson: string): Promise<{ delivered: number }> {
    const event = JSON.parse(eventJson) as CalendarEvent;
    // Fan out first, in one synchronous pass (no other request can interleave), then remember the event:
    // watchers shouldn't wait for our storage writes.
    const previousVersion = this.version ?? 0;
    if (event.version > previousVersion) this.version = event.version;
    // Sockets are found by tag, so the common case (no student's own booking in the event) sends one shared
    // payload per audience without reading any socket's attachment.
    const payloadFor = eventPayloads(event);
    let delivered = 0;
    const send = (ws: WebSocket, payload: string) => {
      if (sendPayload(ws, payload)) delivered++;
    };
    const teacherPayload = payloadFor({ kind: 'teacher', teacherId });
    for (const ws of this.ctx.getWebSockets('teacher')) send(ws, teacherPayload);
    const students = this.ctx.getWebSockets('student');
    if (students.length > 0) {
      const hasOwners = event.slots.some((slot) => slot.booking?.studentId);
      const publicPayload = payloadFor({ kind: 'student', studentId: '', linkId: '' });
      for (const ws of students) {
        const audience = hasOwners ? attachmentOf(ws)?.audience : null;
        send(ws, audience ? payloadFor(audience) : publicPayload);
      }
    }
    this.ctx.storage.sql.exec('INSERT OR REPLACE INTO events (version, body) VALUES (?, ?)', event.version, eventJson);
    this.ctx.storage.sql.exec('DELETE FROM events WHERE version <= ?', event.version - RECENT_EVENTS);
    this.catchUps.forget();
    if (event.version > previousVersion) await this.ctx.storage.put('version', event.version);
    await this.rememberTeacher(teacherId);
    return { delivered };
  }

  /** RPC: close at once every socket opened with a credential that just ended (sign-out, revoked link). */
  async endCredential(credential: Pick<LiveCredential, 'kind' | 'id'>, ending: LiveEnding): Promise<number> {
    // Remembered as long as a ticket for it could still be presented (timing, on the wall clock).
    const now = Date.now();
    this.ctx.storage.sql.exec('DELETE FROM ended_credentials WHERE until <= ?', now);
    this.ctx.storage.sql.exec(
      'INSERT OR REPLACE INTO ended_credentials (tag, ending, until) VALUES (?, ?, ?)',
      credentialTag(credential),
      ending,
      now + ENDED_MEMORY_MS,
    );
    const sockets = this.openSockets(credentialTag(credential));
    for (const ws of sockets) this.closeEnded(ws, ending);
    return sockets.length;
  }

  /**
   * RPC from the portal's calendar read: the view is in this object's storage before the call returns, so a
   * restart loses none; it reaches the database with the others at the next flush.
   */
  async recordLinkView(teacherId: string, view: LinkViewRecord): Promise<void> {
    await this.rememberTeacher(teacherId);
    this.views.add(view);
    const flushAt =
      this.views.size >= FLUSH_WHEN_PENDING ? Date.now() : Date.now() + config(this.env).LINK_VIEW_FLUSH_MS;
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > flushAt) await this.ctx.storage.setAlarm(flushAt);
  }

  /** RPC: write every buffered view now (before someone reads the counts); throws if the database refused. */
  async flushLinkViews(teacherId: string): Promise<number> {
    await this.rememberTeacher(teacherId);
    return this.flushViews();
  }

  /**
   * A client sends pings and syncs, a few a minute. A frame that is not one of them, or more frames than the
   * bucket allows, closes the socket: one closed socket, not a log line per frame.
   */
  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    let bucket = this.buckets.get(ws);
    if (!bucket) this.buckets.set(ws, (bucket = fullBucket(Date.now())));
    if (!takeToken(bucket, Date.now()))
      return this.closeMisbehaving(ws, LIVE_CLOSE.tooManyMessages, 'Too many messages.');
    const message = parseClientMessage(raw);
    if (!message) return this.closeMisbehaving(ws, LIVE_CLOSE.badMessage, 'Not a message of this protocol.');
    if (message.type === 'ping')
      this.send(ws, { type: 'heartbeat', version: this.version ?? 0, reconnectWindowMs: this.spread.windowMs });
    else this.catchUp(ws, message.since);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, 'closing');
    } catch {
      // Already closed.
    }
  }

  override async webSocketError(_ws: WebSocket, error: unknown): Promise<void> {
    console.warn(JSON.stringify({ at: 'TeacherCalendar.webSocketError', error: describeForLog(error) }));
  }

  /** The one alarm serves both timers: buffered link views (a few seconds) and the heartbeat (while watched). */
  override async alarm(): Promise<void> {
    if (this.views.size > 0) {
      try {
        await this.flushViews();
      } catch (error) {
        // Kept in storage; the alarm set below tries again after the flush interval.
        console.warn(JSON.stringify({ at: 'TeacherCalendar.flushViews', error: describeForLog(error) }));
      }
    }
    const heartbeatAt = await this.ctx.storage.get<number>('heartbeatAt');
    // An alarm set for the views comes before the heartbeat is due; an object from before views were buffered
    // has no heartbeatAt, and its alarm was the heartbeat.
    if (heartbeatAt === undefined || heartbeatAt <= Date.now()) await this.heartbeat();
    await this.scheduleAlarm();
  }

  /**
   * Heartbeat: one database read (heartbeat-read.ts) gives the committed version, so a publish that never
   * arrived is noticed, and the state of every credential that opened a socket here, so a session that ended
   * (signed out elsewhere, expired, account disabled) or a link that was revoked or expired closes its sockets
   * within one heartbeat.
   */
  private async heartbeat(): Promise<void> {
    const sockets = this.openSockets();
    if (sockets.length === 0) {
      await this.ctx.storage.delete('heartbeatAt');
      return;
    }
    const watchers = sockets.map((ws) => ({ ws, attachment: attachmentOf(ws) }));
    const ids = (kind: LiveCredential['kind']) => [
      ...new Set(
        watchers.flatMap(({ attachment }) => (attachment?.credential.kind === kind ? [attachment.credential.id] : [])),
      ),
    ];
    let version = this.version ?? 0;
    let rows: CredentialRows | null = null;
    try {
      if (this.teacherId) {
        const state = await readHeartbeatState(getDb(this.env), this.teacherId, ids('session'), ids('link'));
        rows = state.rows;
        if (state.version !== null) version = Math.max(version, state.version);
        await this.observeVersion(version);
      }
    } catch (error) {
      console.warn(JSON.stringify({ at: 'TeacherCalendar.alarm', error: describeForLog(error) }));
    }
    const payload = JSON.stringify({
      type: 'heartbeat',
      version,
      // Counted now, not before the read (sockets accepted while it was out count too), and every socket the
      // runtime lists, whether or not its upgrade has finished: too wide a window is harmless, too narrow isn't.
      reconnectWindowMs: this.spread.recount(this.ctx.getWebSockets().length),
    } satisfies ServerMessage);
    const renew = rows ? this.ticketRenewer() : null;
    for (const { ws, attachment } of watchers) {
      // A socket from before credentials were recorded has none to judge; it is closed like any other on a deploy.
      const ending = attachment?.credential
        ? credentialEnding(attachment.credential, rows, shiftedNow(this.env, attachment.clockShiftMs))
        : null;
      if (ending) {
        this.closeEnded(ws, ending);
        continue;
      }
      sendPayload(ws, payload);
      // The database has just vouched for this credential: a fresh ticket for the next reconnect.
      if (renew && attachment?.binding && this.teacherId) await renew(ws, attachment, this.teacherId);
    }
    await this.ctx.storage.put('heartbeatAt', Date.now() + this.heartbeatMs());
  }

  /** Writes the buffered views, a batch at a time, until none is left; one flush at a time. */
  private flushViews(): Promise<number> {
    // Cleared in `.finally`, a later microtask: a flush that finds nothing ends before this assignment.
    this.flushing ??= this.drainViews().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async drainViews(): Promise<number> {
    let written = 0;
    for (;;) {
      const { views, upTo } = this.views.oldest(FLUSH_BATCH_MAX);
      if (views.length === 0 || !this.teacherId) return written;
      await writeLinkViews(getDb(this.env), this.teacherId, views);
      this.views.forget(upTo);
      written += views.length;
    }
  }

  /** The next alarm: the heartbeat while anyone watches, sooner while views wait to be written. */
  private async scheduleAlarm(): Promise<void> {
    const heartbeatAt = await this.ctx.storage.get<number>('heartbeatAt');
    const flushAt = this.views.size > 0 ? Date.now() + config(this.env).LINK_VIEW_FLUSH_MS : undefined;
    const next = Math.min(heartbeatAt ?? Infinity, flushAt ?? Infinity);
    if (next === Infinity) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }

  /**
   * Signs one ticket per credential and binding for this heartbeat (a student's phone and laptop share one),
   * and sends it to each of that credential's sockets.
   */
  private ticketRenewer() {
    const signed = new Map<string, Promise<string>>();
    const secret = config(this.env).SECRET_KEY;
    return async (ws: WebSocket, attachment: SocketAttachment, teacherId: string) => {
      const key = `${credentialTag(attachment.credential)}:${attachment.binding}`;
      let message = signed.get(key);
      if (!message) {
        const { audience, credential, binding } = attachment;
        const now = shiftedNow(this.env, attachment.clockShiftMs);
        message = issueTicket(secret, { teacherId, audience, credential, binding }, now).then((ticket) =>
          JSON.stringify({ type: 'ticket', ticket } satisfies ServerMessage),
        );
        signed.set(key, message);
      }
      sendPayload(ws, await message);
    };
  }

  /** Why a credential ended, when this object closed it within a ticket's lifetime. */
  private endedLately(credential: LiveCredential): LiveEnding | null {
    const row = this.ctx.storage.sql
      .exec<{ ending: string }>(
        'SELECT ending FROM ended_credentials WHERE tag = ? AND until > ?',
        credentialTag(credential),
        Date.now(),
      )
      .toArray()[0];
    return (row?.ending as LiveEnding | undefined) ?? null;
  }

  /**
   * A socket opened with a ticket was not checked against the database, and not every ending passes through
   * endCredential (an account disabled, a session deleted by hand): the next heartbeat, which reads every
   * socket's credential in one round trip for the whole object, comes within TICKET_CHECK_MS.
   */
  private async checkCredentialsSoon(): Promise<void> {
    const soon = Date.now() + Math.min(TICKET_CHECK_MS, this.heartbeatMs());
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > soon) await this.ctx.storage.setAlarm(soon);
  }

  private catchUp(ws: WebSocket, since: number): void {
    const attachment = attachmentOf(ws);
    if (!attachment) return;
    sendPayload(ws, this.catchUps.answer(since, this.version ?? 0, attachment.audience));
  }

  /**
   * Refuses an upgrade when its link, session or client address already holds its share of this object's
   * sockets: a 429 before the upgrade, in the API's error shape.
   */
  private capRefusal(socket: SocketRequest): Response | null {
    const { credential } = socket;
    const perCredential = credential.kind === 'link' ? SOCKET_CAPS.perLink : SOCKET_CAPS.perSession;
    const what =
      this.openSockets(credentialTag(credential)).length >= perCredential
        ? credential.kind === 'link'
          ? `This booking link already has ${perCredential} live connections open. Close a tab and try again.`
          : `You already have ${perCredential} live connections open. Close a window and try again.`
        : this.openSockets(addressTag(socket.address)).length >= SOCKET_CAPS.perAddress
          ? 'Too many live connections from this network. Close some tabs and try again.'
          : null;
    if (!what) return null;
    return Response.json({ error: { code: 'too_many_connections', message: what } }, { status: 429 });
  }

  /**
   * Sockets that are open, not closing: a socket the object closed stays listed until the runtime finishes the
   * close handshake, and must count neither against a cap nor be closed twice.
   */
  private openSockets(tag?: string): WebSocket[] {
    return this.ctx.getWebSockets(tag).filter((ws) => ws.readyState === WebSocket.OPEN);
  }

  /**
   * Tells every watcher but the newest (greeted with it) that the calendar's reconnect window widened: one
   * heartbeat, the same for all, a handful of times as a calendar fills.
   */
  private announceWindow(reconnectWindowMs: number, newest: WebSocket): void {
    const payload = JSON.stringify({
      type: 'heartbeat',
      version: this.version ?? 0,
      reconnectWindowMs,
    } satisfies ServerMessage);
    for (const ws of this.ctx.getWebSockets()) if (ws !== newest) sendPayload(ws, payload);
  }

  /** Closes a socket whose credential ended, saying why (the client stops reconnecting on these codes). */
  private closeEnded(ws: WebSocket, ending: LiveEnding): void {
    this.send(ws, { type: 'closed', reason: ENDING_MESSAGES[ending] });
    try {
      ws.close(closeCodeFor(ending), ENDING_MESSAGES[ending]);
    } catch {
      // Already closed.
    }
  }

  /** Closes a socket that broke the protocol; one log line per socket, without what it sent. */
  private closeMisbehaving(ws: WebSocket, code: number, reason: string): void {
    console.warn(JSON.stringify({ at: 'TeacherCalendar.closeMisbehaving', code }));
    try {
      ws.close(code, reason);
    } catch {
      // Already closed.
    }
  }

  private send(ws: WebSocket, message: ServerMessage): void {
    sendPayload(ws, JSON.stringify(message));
  }

  /** Versions only move forward. */
  private async observeVersion(version: number): Promise<void> {
    if (!Number.isInteger(version) || version <= (this.version ?? 0)) return;
    this.version = version;
    await this.ctx.storage.put('version', version);
  }

  private async rememberTeacher(teacherId: string): Promise<void> {
    if (this.teacherId === teacherId) return;
    this.teacherId = teacherId;
    await this.ctx.storage.put('teacherId', teacherId);
  }

  /** While anyone watches, a heartbeat carries the database's version, so a lost publish shows up as a gap. */
  private heartbeatMs(): number {
    return config(this.env).LIVE_HEARTBEAT_MS;
  }

  /** A timer, not a decision: alarms are set on the wall clock (clock.ts is for what the time decides). */
  private async ensureHeartbeat(): Promise<void> {
    if ((await this.ctx.storage.get<number>('heartbeatAt')) !== undefined) return;
    await this.ctx.storage.put('heartbeatAt', Date.now() + this.heartbeatMs());
    await this.scheduleAlarm();
  }
}
