/**
 * Charts are drawn one per task, after the page's first paint, instead of all in the task that renders the
 * page: drawing them together kept the main thread busy for a long stretch (taps and typing waited), and the
 * figures above them painted late. Each chart's box has its final size from the start, so nothing moves when
 * its drawing arrives. The drawing's code (Layer Cake, d3-scale) is fetched only then, so it is not parsed
 * before the page's first paint either.
 */
let last: Promise<void> = Promise.resolve();

/**
 * Starts `load` at once, then calls `draw` with what it loaded in a task of its own, after every chart queued
 * before it. A drawing that fails to load is skipped (its table and CSV still hold the numbers).
 */
export function drawInTurn<T>(load: () => Promise<T>, draw: (loaded: T) => void): void {
  const loading = load();
  // Its failure is handled in the chain below, once earlier charts are drawn; not an unhandled rejection now.
  loading.catch(() => {});
  last = last
    .then(() => loading)
    .then((loaded) => new Promise<void>((resolve) => setTimeout(() => (draw(loaded), resolve()))))
    .catch(() => {});
}
