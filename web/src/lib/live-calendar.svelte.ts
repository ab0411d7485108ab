/**
 * A teacher's calendar kept live: a snapshot from the API, then events from the TeacherCalendar object
 * applied in version order. A gap (missed events) asks the object to replay; if it can't, the snapshot is
 * fetched again. partysocket reconnects with backoff after drops and deploys, but not after the object closed
 * the socket because its credential ended (signed out, session expired, link revoked or expired): then
 * `ended` says why and the page shows it.
 */
import { WebSocket as ReconnectingWebSocket } from 'partysocket';
import {
  applyEvent,
  ENDING_MESSAGES,
  liveEnding,
  parseServerMessage,
  type CalendarEvent,
  type CalendarSnapshot,
  type CalendarState,
  type ClientMessage,
  type LiveEnding,
  type ServerMessage,
  type SlotView,
} from '#shared/live-protocol.ts';
import {
  acceptedWindow,
  liveSocketOptions,
  liveSocketUrl,
  nextLiveUrl,
  type LiveTicket,
} from '#shared/live-connection.ts';
import { ApiError } from './api.ts';

export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'ended';

const PING_MS = 25_000;

export class LiveCalendar {
  status = $state<ConnectionStatus>('connecting');
  loading = $state(true);
  error = $state<string | null>(null);
  /** Every known slot, sorted by start. */
  slots = $state<SlotView[]>([]);
  /** Set when the credential the page watches with ended; the connection is then closed for good. */
  ended = $state<LiveEnding | null>(null);

  // Plain, not reactive, on purpose: #publish() copies it into `slots` once per applied change.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- see above
  #state: CalendarState = { version: 0, slots: new Map() };
  #range = { from: 0, to: 0 };
  #socket: ReconnectingWebSocket | null = null;
  /** Lets the next upgrade skip the database; from the snapshot read, renewed over the socket. */
  #ticket: LiveTicket | null = null;
  /** The first window of the reconnect jitter, as the calendar last announced it (the schedule's default until then). */
  #reconnectWindowMs: number | undefined = undefined;
  #ping: ReturnType<typeof setInterval> | null = null;
  #fetchSnapshot: (from: number, to: number) => Promise<CalendarSnapshot>;
  #path: string;

  constructor(path: string, fetchSnapshot: (from: number, to: number) => Promise<CalendarSnapshot>) {
    this.#path = path;
    this.#fetchSnapshot = fetchSnapshot;
  }

  get version(): number {
    return this.#state.version;
  }

  /** Loads (or reloads) the slots of a time range. */
  async load(from: number, to: number): Promise<void> {
    this.#range = { from, to };
    this.loading = true;
    try {
      const snapshot = await this.#fetchSnapshot(from, to);
      if (snapshot.ticket) this.#ticket = snapshot.ticket;
      // A snapshot older than what live events already brought would go backwards.
      if (snapshot.version >= this.#state.version || this.#range.from !== from) {
        // eslint-disable-next-line svelte/prefer-svelte-reactivity -- plain state, published by #publish()
        this.#state = { version: snapshot.version, slots: new Map(snapshot.slots.map((s) => [s.id, s])) };
        this.#publish();
      }
      this.error = null;
    } catch (error) {
      this.error = error instanceof Error ? error.message : 'The calendar could not be loaded.';
      // A refused upgrade tells the browser nothing; the snapshot read says what happened to the credential.
      if (error instanceof ApiError && error.status === 401) this.#end('session_ended');
    } finally {
      this.loading = false;
    }
  }

  connect(): void {
    if (this.#socket || this.ended) return;
    const base = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
    let opened = false;
    // Each attempt waits its jittered delay, then goes with the newest ticket (shared/live-connection.ts).
    const socket: ReconnectingWebSocket = new ReconnectingWebSocket(
      () =>
        nextLiveUrl(
          socket.retryCount,
          () => base + liveSocketUrl(this.#path, this.#ticket, Date.now(), this.#state.version),
          this.#reconnectWindowMs,
        ),
      [],
      {
        ...liveSocketOptions(),
        // A dead credential stays dead: no reconnect loop against it.
        shouldReconnectOnClose: (event) => liveEnding(event.code) === null,
      },
    );
    socket.addEventListener('open', () => {
      opened = true;
      this.status = 'live';
    });
    socket.addEventListener('close', (event) => {
      const ending = liveEnding(event.code);
      if (ending) return this.#end(ending);
      this.status = 'reconnecting';
      // Refused before it opened (signed out, link gone, too many connections, Slotcast down): the browser
      // isn't told why, so read the snapshot, whose answer says it (and refreshes the view meanwhile).
      if (!opened) void this.load(this.#range.from, this.#range.to);
      opened = false;
    });
    socket.addEventListener('message', (event) => {
      const message = parseServerMessage(event.data);
      if (message) this.#handle(message);
    });
    this.#socket = socket;
    this.#ping = setInterval(() => this.#send({ type: 'ping' }), PING_MS);
  }

  disconnect(): void {
    if (this.#ping) clearInterval(this.#ping);
    this.#ping = null;
    this.#socket?.close();
    this.#socket = null;
  }

  /** The credential ended: stop for good and say why. */
  #end(ending: LiveEnding): void {
    this.ended = ending;
    this.error = ENDING_MESSAGES[ending];
    this.status = 'ended';
    this.disconnect();
  }

  /** Applies the result of this client's own change right away; the live event, when it comes, is a no-op. */
  applyOwnChange(kind: CalendarEvent['kind'], slots: SlotView[], version: number): void {
    this.#apply({ kind, slots, version, at: Date.now() });
  }

  #handle(message: ServerMessage): void {
    switch (message.type) {
      case 'hello':
      case 'heartbeat':
        this.#reconnectWindowMs = acceptedWindow(message.reconnectWindowMs) ?? this.#reconnectWindowMs;
        // A hello that echoes `since` comes with the catch-up from that version: no sync to ask for.
        if (message.type === 'hello' && message.since !== undefined) break;
        if (message.version > this.#state.version) this.#send({ type: 'sync', since: this.#state.version });
        break;
      case 'event':
        this.#apply(message.event);
        break;
      case 'events':
        for (const event of message.events) this.#apply(event, false);
        if (message.version > this.#state.version) void this.load(this.#range.from, this.#range.to);
        break;
      case 'resync':
        void this.load(this.#range.from, this.#range.to);
        break;
      case 'closed':
        this.error = message.reason;
        break;
      case 'ticket':
        this.#ticket = message.ticket;
        break;
    }
  }

  #apply(event: CalendarEvent, syncOnGap = true): void {
    const result = applyEvent(this.#state, event);
    if (result.outcome === 'gap') {
      if (syncOnGap) this.#send({ type: 'sync', since: this.#state.version });
      return;
    }
    this.#state = result.state;
    this.#publish();
  }

  #publish(): void {
    this.slots = [...this.#state.slots.values()].sort((a, b) => a.startsAt - b.startsAt);
  }

  #send(message: ClientMessage): void {
    if (this.#socket?.readyState === 1) this.#socket.send(JSON.stringify(message));
  }
}
