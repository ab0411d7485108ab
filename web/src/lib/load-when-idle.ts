import { onMount } from 'svelte';

/**
 * Code a page needs only after its first screen (its dialogs) is imported where it is used, with `{#await}`, and
 * fetched here once the page is idle: a phone parses and runs less before the page appears, and the dialog's
 * code is usually there by the time someone opens it. Call while a component initialises.
 */
export function loadWhenIdle(loaders: Record<string, () => Promise<unknown>>): void {
  onMount(() => {
    // One module per idle moment: arriving together, four dialogs' code ran as one long task on a slow phone.
    const queue = Object.values(loaders);
    const whenIdle = (run: () => void) =>
      'requestIdleCallback' in window ? requestIdleCallback(run) : setTimeout(run, 500);
    const next = () => {
      const loader = queue.shift();
      // Its failure is left to the `{#await}` that imports it again when the dialog is opened.
      if (loader)
        void loader().then(
          () => whenIdle(next),
          () => whenIdle(next),
        );
    };
    whenIdle(next);
  });
}
