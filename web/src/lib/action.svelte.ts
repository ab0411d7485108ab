/**
 * One way to run something a person asked for (save, book, cancel): `busy` while it runs, then either nothing
 * or the API's message in `error` and its per-field messages in `fieldErrors`, ready for the template.
 */
import { ApiError } from './api.ts';

export class Action {
  busy = $state(false);
  error = $state<string | null>(null);
  /** Per-field messages from a 400, keyed by field path ("lengthMinutes", "weeklyRanges"). */
  fieldErrors = $state<Record<string, string>>({});
  readonly #fallback: string;

  /** `fallback` is shown for anything that isn't an API answer (a bug, not the person's doing). */
  constructor(fallback = 'Something went wrong. Please try again.') {
    this.#fallback = fallback;
  }

  /** Runs `work` unless a run is still busy; true when it finished without throwing. */
  async run(work: () => Promise<unknown>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.reset();
    try {
      await work();
      return true;
    } catch (error) {
      this.fail(error);
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** Shows a failure that happened outside run() (a load, a clipboard refusal). */
  fail(error: unknown): void {
    if (error instanceof ApiError) {
      this.error = error.message;
      this.fieldErrors = error.fieldErrors();
    } else if (typeof error === 'string') this.error = error;
    else this.error = this.#fallback;
  }

  /**
   * The message for the form's alert: null while a field shows the refusal beside itself (the API's message
   * repeats the first field's), so a person reads each message once.
   */
  get summary(): string | null {
    return Object.keys(this.fieldErrors).length > 0 ? null : this.error;
  }

  reset(): void {
    this.error = null;
    this.fieldErrors = {};
  }
}
