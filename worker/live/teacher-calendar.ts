/**
 * TeacherCalendar: one Durable Object per teacher. It holds the live WebSockets (hibernation API) and the most
 * recent calendar events. It is not the source of truth: routes publish here after their batch commits.
 */
import { describeForLog } from '../log/mask.ts';
import { DurableObject } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { teachers } from '../../db/schema.ts';
import { getDb } from '../db.ts';
import { config, type Env } from '../env.ts';
import { eventPayloads, filterEventFor, type Audience } from './audience.ts';
import type { CalendarEvent, ClientMessage, ServerMessage } from '../../shared/live-protocol.ts';

/** Events kept for catch-up after a reconnect; older gaps are answered with `resync`. */
export const RECENT_EVENTS = 200;

interface Attachment {
  audience: Audience;
}

export class TeacherCalendar extends DurableObject<Env> {
  private version: number | null = null;
  private teacherId: string | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS events (version INTEGER PRIMARY KEY, body TEXT NOT NULL)');
      this.version = (await ctx.storage.get<number>('version')) ?? 0;
      this.teacherId = (await ctx.storage.get<string>('teacherId')) ?? null;
    });
    // One line per start or wake from hibernation: how often the object is cold is worth seeing in logs.
    console.log(JSON.stringify({ at: 'TeacherCalendar.start', sockets: ctx.getWebSockets().length }));
  }

  /** WebSocket upgrade, already authenticated by the Worker, which passes the audience in a header. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket')
      return new Response('Expected a WebSocket', { status: 426 });
    const audience = JSON.parse(request.headers.get('x-slotcast-audience') ?? 'null') as Audience | null;
    const teacherId = request.headers.get('x-slotcast-teacher');
    if (!audience || !teacherId) return new Response('Missing audience', { status: 400 });
    await this.rememberTeacher(teacherId);
    await this.observeVersion(Number(request.headers.get('x-slotcast-version') ?? 0));
    const pair = new WebSocketPair();
    const tags =
      audience.kind === 'teacher'
        ? ['teacher']
        : ['student', `student:${audience.studentId}`, `link:${audience.linkId}`];
    this.ctx.acceptWebSocket(pair[1], tags);
    pair[1].serializeAttachment({ audience } satisfies Attachment);
    this.send(pair[1], { type: 'hello', version: this.version ?? 0 });
    await this.ensureHeartbeat();
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  /** RPC from routes after a commit: fan the event out, filtered per audience, and keep it for catch-up. */
  async publish(teacherId: string, event: CalendarEvent): Promise<{ delivered: number }> {
    // Fan out first, in one synchronous pass (no other request can interleave), then remember the event:
    // watchers shouldn't wait for our storage writes.
    const previousVersion = this.version ?? 0;
    if (event.version > previousVersion) this.version = event.version;
    // Sockets are found by tag, so the common case (no student's own booking in the event) sends one shared
    // payload per audience without reading any socket's attachment.
    const payloadFor = eventPayloads(event);
    let delivered = 0;
    const send = (ws: WebSocket, payload: string) => {
      try {
        ws.send(payload);
        delivered++;
      } catch {
        // A socket closing mid-broadcast is not an error for the others.
      }
    };
    const teacherPayload = payloadFor({ kind: 'teacher', teacherId });
    for (const ws of this.ctx.getWebSockets('teacher')) send(ws, teacherPayload);
    const students = this.ctx.getWebSockets('student');
    if (students.length > 0) {
      const hasOwners = event.slots.some((slot) => slot.booking?.studentId);
      const publicPayload = payloadFor({ kind: 'student', studentId: '', linkId: '' });
      for (const ws of students) {
        const audience = hasOwners ? (ws.deserializeAttachment() as Attachment | null)?.audience : null;
        send(ws, audience ? payloadFor(audience) : publicPayload);
      }
    }
    this.ctx.storage.sql.exec(
      'INSERT OR REPLACE INTO events (version, body) VALUES (?, ?)',
      event.version,
      JSON.stringify(event),
    );
    this.ctx.storage.sql.exec('DELETE FROM events WHERE version <= ?', event.version - RECENT_EVENTS);
    if (event.version > previousVersion) await this.ctx.storage.put('version', event.version);
    await this.rememberTeacher(teacherId);
    return { delivered };
  }

  /** RPC: close the sockets opened with a credential that is no longer valid (e.g. a revoked share link). */
  async closeByTag(tag: string, reason: string): Promise<number> {
    const sockets = this.ctx.getWebSockets(tag);
    for (const ws of sockets) {
      this.send(ws, { type: 'closed', reason });
      ws.close(4001, reason.slice(0, 100));
    }
    return sockets.length;
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    try {
      if (typeof raw !== 'string' || raw.length > 1024) return;
      const message = JSON.parse(raw) as ClientMessage;
      if (message.type === 'ping') this.send(ws, { type: 'heartbeat', version: this.version ?? 0 });
      else if (message.type === 'sync' && Number.isInteger(message.since)) this.catchUp(ws, message.since);
    } catch (error) {
      console.warn(JSON.stringify({ at: 'TeacherCalendar.webSocketMessage', error: describeForLog(error) }));
    }
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

  /** Heartbeat: read the committed version from the database, so a publish that never arrived is noticed. */
  override async alarm(): Promise<void> {
    const sockets = this.ctx.getWebSockets();
    if (sockets.length === 0) return;
    let version = this.version ?? 0;
    try {
      if (this.teacherId) {
        const [row] = await getDb(this.env)
          .select({ v: teachers.calendarVersion })
          .from(teachers)
          .where(eq(teachers.id, this.teacherId));
        if (row) version = Math.max(version, row.v);
        await this.observeVersion(version);
      }
    } catch (error) {
      console.warn(JSON.stringify({ at: 'TeacherCalendar.alarm', error: describeForLog(error) }));
    }
    const payload = JSON.stringify({ type: 'heartbeat', version } satisfies ServerMessage);
    for (const ws of sockets) {
      try {
        ws.send(payload);
      } catch {
        // Closing socket.
      }
    }
    await this.ctx.storage.setAlarm(Date.now() + this.heartbeatMs());
  }

  private catchUp(ws: WebSocket, since: number): void {
    const current = this.version ?? 0;
    if (since >= current) {
      this.send(ws, { type: 'events', events: [], version: current });
      return;
    }
    const rows = this.ctx.storage.sql
      .exec<{ version: number; body: string }>(
        'SELECT version, body FROM events WHERE version > ? ORDER BY version',
        since,
      )
      .toArray();
    // Replay only an unbroken run starting right after the client's version; otherwise the snapshot is cheaper.
    const contiguous =
      rows.length > 0 &&
      rows[0]!.version === since + 1 &&
      rows.every((r, i) => r.version === since + 1 + i) &&
      rows.at(-1)!.version === current;
    if (!contiguous) {
      this.send(ws, { type: 'resync', version: current });
      return;
    }
    const { audience } = ws.deserializeAttachment() as Attachment;
    const events = rows.map((r) => filterEventFor(JSON.parse(r.body) as CalendarEvent, audience));
    this.send(ws, { type: 'events', events, version: current });
  }

  private send(ws: WebSocket, message: ServerMessage): void {
    try {
      ws.send(JSON.stringify(message));
    } catch {
      // The socket closed; hibernation cleans it up.
    }
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
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + this.heartbeatMs());
  }
}
