/**
 * A page's first reads, started by a script inlined in its prerendered HTML shell (web/build-steps/
 * shell-reads.ts builds it from lib/portal/shell-script.ts and lib/student-shell-script.ts) while the page's
 * modules are still downloading. Started from the page's load function instead, they waited for the page's
 * 60-odd KB of script to arrive and run; now the data and the scripts travel side by side. The page takes each
 * response once, under the key of its own read (lib/early-read.ts `shellReadOr`); a response nobody asks for
 * (the student chose another zone meanwhile) is simply never taken. Nothing here may import the API client:
 * the inline script must stay a few KB.
 */
interface ShellReads {
  at: number;
  responses: Map<string, Promise<Response>>;
}
const GLOBAL = '__slotcastShellReads';
/** Older than this, a response may predate a change made since: the page reads afresh. */
const FRESH_MS = 10_000;

/** Runs in a shell's inline script: GETs each path (with the session cookie), under its key. */
export function startShellReads(reads: [key: string, path: string][]): void {
  const store = globalThis as Record<string, unknown>;
  const started = (store[GLOBAL] ??= { at: Date.now(), responses: new Map() } satisfies ShellReads) as ShellReads;
  const { responses } = started;
  for (const [key, path] of reads) {
    const response = fetch(path, { credentials: 'same-origin' });
    // Whoever takes it handles a failure; until then it must not count as unhandled.
    response.catch(() => {});
    responses.set(key, response);
  }
}

/** The shell's response for `key`, once, while fresh; else null. */
export function takeShellRead(key: string): Promise<Response> | null {
  const reads = (globalThis as Record<string, unknown>)[GLOBAL] as ShellReads | undefined;
  const response = reads?.responses.get(key);
  reads?.responses.delete(key);
  return response && Date.now() - reads!.at < FRESH_MS ? response : null;
}
