/**
 * The Worker process's own CPU counters: utime + stime of every `workerd` process this benchmark started
 * (found below this process in the process tree), read from /proc. The Worker, its Durable Objects and its
 * queue consumer all run inside workerd, so its counters hold what a request costs the runtime, whatever the
 * machine's other load does to wall-clock times.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Clock ticks per second of /proc's counters (100 on Linux almost everywhere). */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  /** utime + stime, in ms. */
  cpuMs: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may itself hold spaces or parentheses.
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // After the name: state(3) ppid(4) … utime(14) stime(15), so index 0 here is field 3.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { pid, comm, ppid: Number(fields[1]), cpuMs: (ticks * 1000) / TICKS_PER_SECOND };
  } catch {
    return null;
  }
}

/** The workerd processes that descend from this process (wrangler dev's runtime). */
export function findWorkerdPids(root = process.pid): number[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((s): s is ProcStat => s !== null);
  const parentOf = new Map(all.map((s) => [s.pid, s.ppid]));
  const descends = (pid: number) => {
    for (let p: number | undefined = pid, hops = 0; p && hops < 20; p = parentOf.get(p), hops++)
      if (p === root) return true;
    return false;
  };
  return all.filter((s) => s.comm === 'workerd' && descends(s.pid)).map((s) => s.pid);
}

/** Summed CPU time (ms) of the given processes so far. */
export function cpuMsOf(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + (readStat(pid)?.cpuMs ?? 0), 0);
}

export const tickMs = 1000 / TICKS_PER_SECOND;

/**
 * Waits until the processes stop using CPU (no tick in `quietMs`), so work a request left running after its
 * answer (waitUntil, the queue consumer sending its email, a heartbeat) is counted with the request that
 * caused it and not with the next measurement. Gives up after `maxMs`.
 */
export async function settle(pids: number[], quietMs = 400, maxMs = 15_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = cpuMsOf(pids);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, quietMs));
    const now = cpuMsOf(pids);
    if (now === last) return;
    last = now;
  }
}

/** The workerd process that runs the Worker itself; the other one is wrangler dev's proxy in front of it. */
export function isWorkerRuntime(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--inspector-addr');
  } catch {
    return false;
  }
}
