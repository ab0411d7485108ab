/**
 * A CPU profile of the Worker inside `wrangler dev`, through workerd's own inspector (the runtime process
 * started with `--inspector-addr`). Used by `npm run bench -- cpu --profile <dir>`: one `.cpuprofile` per hot
 * path (open it in Chrome DevTools' Performance panel) and the top functions by self time on stderr.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import WebSocket from 'ws';

/** The listening TCP ports of a process, from /proc (no lsof needed). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // Closed meanwhile.
    }
  }
  const ports: number[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '0A' && inodes.has(cols[9]!)) ports.push(parseInt(cols[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

/** The workerd process that runs the Worker itself (wrangler's proxy runtime has no inspector). */
export function isWorkerRuntime(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--inspector-addr');
  } catch {
    return false;
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface Profiler {
  start(): Promise<void>;
  stop(): Promise<CpuProfile>;
  close(): void;
}

/** Connects to the inspector of the Worker's runtime and its `core:user:<name>` target. */
export async function connectProfiler(pid: number, workerName = 'slotcast'): Promise<Profiler> {
  let url: string | null = null;
  for (const port of listeningPorts(pid)) {
    try {
      const targets = (await (
        await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(1000) })
      ).json()) as { id?: string; webSocketDebuggerUrl?: string }[];
      const target = targets.find((t) => t.id === `core:user:${workerName}`) ?? targets[0];
      if (target) {
        url = target.webSocketDebuggerUrl ?? `ws://127.0.0.1:${port}/${target.id}`;
        break;
      }
    } catch {
      // Not the inspector.
    }
  }
  if (!url) throw new Error(`No inspector found on workerd ${pid}.`);
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let nextId = 1;
  const pending = new Map<number, (result: unknown) => void>();
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 100 });
  return {
    start: async () => void (await send('Profiler.start')),
    stop: async () => ((await send('Profiler.stop')) as { profile: CpuProfile }).profile,
    close: () => ws.close(),
  };
}

/** The functions with the most self time (samples), as "share% name (file:line)". */
export function topSelfTime(profile: CpuProfile, count = 15): string[] {
  const total = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0) || 1;
  const byFrame = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} (${url.split('/').slice(-2).join('/')}:${lineNumber + 1})`;
    byFrame.set(key, (byFrame.get(key) ?? 0) + (node.hitCount ?? 0));
  }
  return [...byFrame]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, hits]) => `${((hits / total) * 100).toFixed(1)}% ${key}`);
}
