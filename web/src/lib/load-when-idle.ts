import { onMount } from 'svelte';

/**
 * Code a page needs only after its first screen (its dialogs) is imported where it is used, with `{#await}`, and
 * fetched here once the page is idle: a phone parses and runs less before the page appears, and the dialog's
 * code is usually there by the time someone opens it. Call while a component initialises.
 */
export function loadWhenIdle(loaders: Record<string, () => Promise<unknown>>): void {
  onMount(() => {
    const load = () => Object.values(loaders).forEach((loader) => void loader());
    if ('requestIdleCallback' in window) requestIdleCallback(load);
    else setTimeout(load, 500);
  });
}
