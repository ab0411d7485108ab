/**
 * The answers to catch-up requests (`sync` since a version), worked out once per starting version and
 * serialised once per view (audience.ts): after a deploy a thousand watchers come back, nearly all from the
 * same version, and each asks for the same few events. Reading them from storage, parsing them and filtering
 * them per socket was a thousand times the same work. Any stored event forgets every answer (`forget`), so an
 * answer is never older than the events it was made from. Pure apart from the `read` it is given.
 */
import { catchUpPayloads, type Audience } from './audience.ts';
import type { CalendarEvent, ServerMessage } from '../../shared/live-protocol.ts';

/** Different starting versions remembered at once; a catch-up from an unusual one is read again. */
const MAX_REMEMBERED = 16;

export interface StoredEvent {
  version: number;
  body: string;
}

export class CatchUpAnswers {
  private readonly bySince = new Map<number, (audience: Audience) => string>();
  private answeredAt = -1;

  /** `read(since)`: the stored events after `since`, in version order. */
  constructor(private readonly read: (since: number) => StoredEvent[]) {}

  /** The message for a socket of this audience that has seen up to `since`, the object being at `current`. */
  answer(since: number, current: number, audience: Audience): string {
    if (current !== this.answeredAt) this.forget();
    this.answeredAt = current;
    let answerFor = this.bySince.get(since);
    if (!answerFor) {
      if (this.bySince.size >= MAX_REMEMBERED) this.bySince.clear();
      answerFor = this.work(since, current);
      this.bySince.set(since, answerFor);
    }
    return answerFor(audience);
  }

  /** An event was stored (or the version moved): every answer may be out of date. */
  forget(): void {
    this.bySince.clear();
  }

  private work(since: number, current: number): (audience: Audience) => string {
    const same = (message: ServerMessage) => {
      const payload = JSON.stringify(message);
      return () => payload;
    };
    if (since >= current) return same({ type: 'events', events: [], version: current });
    const rows = this.read(since);
    // Replay only an unbroken run starting right after the client's version; otherwise the snapshot is cheaper.
    const contiguous =
      rows.length > 0 &&
      rows[0]!.version === since + 1 &&
      rows.every((r, i) => r.version === since + 1 + i) &&
      rows.at(-1)!.version === current;
    if (!contiguous) return same({ type: 'resync', version: current });
    return catchUpPayloads(
      rows.map((r) => JSON.parse(r.body) as CalendarEvent),
      current,
    );
  }
}
