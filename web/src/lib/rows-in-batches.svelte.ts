import { tick } from 'svelte';

/**
 * A long list drawn a screenful at once, then a small batch per task, so taps and typing get in between.
 * Drawing 200 rows in one task kept a page from answering for a long moment; on a slow phone every task over
 * 50 ms counts against the page (Lighthouse's total blocking time), so a batch is kept well under that.
 */
const FIRST_ROWS = 12;
const ROWS_PER_TASK = 16;

export class RowsInBatches {
  /** How many rows are drawn so far. */
  count = $state(FIRST_ROWS);

  /** `first`: the rows drawn with the page, a screenful (fewer where each row is large). */
  constructor(first = FIRST_ROWS) {
    this.count = first;
  }

  /** The rows drawn so far of `rows`. */
  slice<T>(rows: T[]): T[] {
    return rows.length > this.count ? rows.slice(0, this.count) : rows;
  }

  /** Draws the rest of `total()` rows, a batch per task; resolves once every row is on screen. */
  async drawAll(total: () => number): Promise<void> {
    while (this.count < total()) {
      await new Promise((resolve) => setTimeout(resolve));
      this.count += ROWS_PER_TASK;
      await tick();
    }
    this.count = Infinity;
  }
}
