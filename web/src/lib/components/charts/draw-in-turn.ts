/**
 * Charts are drawn one per task, after the page's first paint, instead of all in the task that renders the
 * page: drawing them together kept the main thread busy for a long stretch (taps and typing waited), and the
 * figures above them painted late. Each chart's box has its final size from the start, so nothing moves when
 * its drawing arrives.
 */
let last: Promise<void> = Promise.resolve();

/** Runs `draw` in a task of its own, after every chart queued before it. */
export function drawInTurn(draw: () => void): void {
  last = last.then(
    () =>
      new Promise<void>((resolve) =>
        setTimeout(() => {
          draw();
          resolve();
        }),
      ),
  );
}
