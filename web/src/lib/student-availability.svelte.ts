/**
 * The teacher's "show students' availability" choice: on or off, which students, and their availability
 * loaded from the students list. The choice is remembered in this browser, per teacher.
 */
import { api, call } from './api.ts';
import type { StudentAvailability } from './availability-overlay.ts';

interface Saved {
  on: boolean;
  /** Students unticked by the teacher; anyone new is shown. */
  hidden: string[];
}

export class StudentAvailabilityOverlay {
  on = $state(false);
  hidden = $state<string[]>([]);
  loading = $state(false);
  error = $state<string | null>(null);
  /** Students who said when they're free, in the list's order; null until loaded. */
  students = $state<StudentAvailability[] | null>(null);

  readonly #key: string;

  constructor(teacherId: string) {
    this.#key = `slotcast:availability-overlay:${teacherId}`;
    const saved = this.#read();
    this.on = saved.on;
    this.hidden = saved.hidden;
    if (this.on) void this.load();
  }

  /** The students whose times the week shows now. */
  get shown(): StudentAvailability[] {
    return this.on && this.students ? this.students.filter((s) => !this.hidden.includes(s.id)) : [];
  }

  setOn(on: boolean): void {
    this.on = on;
    this.#save();
    // Fetched each time it is turned on, so times a student changed since show up.
    if (on) void this.load();
  }

  setShown(studentId: string, shown: boolean): void {
    this.hidden = shown ? this.hidden.filter((id) => id !== studentId) : [...this.hidden, studentId];
    this.#save();
  }

  async load(): Promise<void> {
    this.loading = true;
    this.error = null;
    try {
      const { students } = await call(api.teacher.students.$get());
      this.students = students.flatMap(({ id, name, color, availability }) =>
        availability && availability.weeklyRanges.length > 0
          ? [{ id, name, color, timeZone: availability.timeZone, weeklyRanges: availability.weeklyRanges }]
          : [],
      );
    } catch (e) {
      this.error = e instanceof Error ? e.message : 'Your students’ availability could not be loaded.';
    } finally {
      this.loading = false;
    }
  }

  #read(): Saved {
    try {
      const saved = JSON.parse(localStorage.getItem(this.#key) ?? 'null') as Partial<Saved> | null;
      return {
        on: saved?.on === true,
        hidden: Array.isArray(saved?.hidden) ? saved.hidden.filter((id) => typeof id === 'string') : [],
      };
    } catch {
      return { on: false, hidden: [] };
    }
  }

  #save(): void {
    try {
      localStorage.setItem(this.#key, JSON.stringify({ on: this.on, hidden: this.hidden } satisfies Saved));
    } catch {
      // Storage can be full or blocked (private windows): the choice then lasts only this visit.
    }
  }
}
