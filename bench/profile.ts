/**
 * `npm run bench -- profile [--path portal-read|book|cancel|teacher-read|slot-create|sign-in|upgrade|storm-return|health]
 *  [--requests 200] [--top 40]`
 *
 * Where a hot path's CPU goes inside the Worker: a V8 CPU profile taken through wrangler dev's DevTools
 * inspector (Chrome DevTools protocol: Profiler.start / Profiler.stop) around `requests` sequential requests,
 * summarised as self time by function and by source file. A tool for finding what to cut, not a figure for
 * DESIGN.md (the `cpu` bench measures). Prints the summary on stdout and writes the raw profile next to the
 * stack's log (open it in Chrome DevTools' Performance panel).
 */
import { copyFile, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { freePort, ROOT, startStack } from '../scripts/stack.ts';
import { portalFixture } from './portal-fixture.ts';
import { note, round } from './stats.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** One DevTools session: numbered commands, answers matched by id. */
async function devtools(url: string) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let next = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: unknown };
    if (message.id !== undefined) waiting.get(message.id)?.(message.error ? { error: message.error } : message.result);
  });
  return {
    send: <T>(method: string, params: object = {}) =>
      new Promise<T>((resolve) => {
        const id = ++next;
        waiting.set(id, resolve as (result: unknown) => void);
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}

function summarise(profile: Profile, top: number) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  // Inclusive ("total") time: a sample counts for every distinct function on its stack once.
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
  const keyOf = (n: ProfileNode) => {
    const { functionName, url, lineNumber } = n.callFrame;
    return `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/') || '(native)'}:${lineNumber + 1}`;
  };
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) seen.add(keyOf(byId.get(at)!));
    for (const key of seen) inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  }
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const file = url.split('/').slice(-2).join('/') || '(native)';
    const key = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([k, us]) =>
          `${round((100 * us) / total, 1)
            .toFixed(1)
            .padStart(5)}%  ${round(us / 1000, 1)} ms  ${k}`,
      );
  return { totalMs: total / 1000, functions: rank(byFunction), files: rank(byFile), inclusive: rank(inclusive) };
}

export async function main(args: Map<string, string>): Promise<void> {
  const path = args.get('path') ?? 'book';
  const requests = Number(args.get('requests') ?? 200);
  const top = Number(args.get('top') ?? 40);
  const dataDir = await mkdtemp(join(tmpdir(), 'slotcast-profile-'));
  const inspectorPort = await freePort();
  const stack = await startStack({ dataDir, fresh: true, quiet: true, port: await freePort(), inspectorPort });
  const app = stack.appUrl;
  try {
    const { slotIds, tokens, teacher } = await portalFixture(app, stack.dbUrl, { slots: requests + 10, students: 20 });
    const headers = { origin: app, cookie: teacher.cookie, 'content-type': 'application/json' };
    let ip = 0;
    const nextIp = () => `2001:db8:f::${(++ip).toString(16)}`;
    const call = async (p: string, init: RequestInit = {}, expect = 200) => {
      const response = await fetch(app + p, init);
      const body = await response.text();
      if (response.status !== expect) throw new Error(`${p.slice(0, 20)}…: ${response.status} ${body}`);
      return body;
    };
    const portalPost = (p: string, body: unknown, expect: number) =>
      call(
        p,
        {
          method: 'POST',
          headers: { origin: app, 'content-type': 'application/json', 'cf-connecting-ip': nextIp() },
          body: JSON.stringify(body),
        },
        expect,
      );
    const booked: { token: string; id: string }[] = [];
    const book = async (i: number) => {
      const token = tokens[i % tokens.length]!;
      const body = await portalPost(`/api/booking/${token}/book`, { slotId: slotIds[i]! }, 201);
      booked[i] = { token, id: (JSON.parse(body) as { booking: { id: string } }).booking.id };
    };
    const from = Date.now();
    const paths: Record<string, (i: number) => Promise<unknown>> = {
      health: () => call('/api/health'),
      'portal-read': (i) =>
        call(`/api/booking/${tokens[i % tokens.length]}/calendar`, { headers: { 'cf-connecting-ip': nextIp() } }),
      'teacher-read': () => call(`/api/teacher/calendar?from=${from}&to=${from + 14 * 86_400_000}`, { headers }),
      book,
      cancel: (i) => portalPost(`/api/booking/${booked[i]!.token}/cancel/${booked[i]!.id}`, {}, 200),
      'slot-create': (i) =>
        call(
          '/api/teacher/slots',
          {
            method: 'POST',
            headers,
            body: JSON.stringify({
              start: new Date(Date.now() + (400 + i) * 86_400_000).toISOString().slice(0, 10) + 'T21:00',
              lengthMinutes: 30,
            }),
          },
          201,
        ),
      upgrade: (i) =>
        new Promise<void>((resolve, reject) => {
          const ws = new WebSocket(`${app.replace(/^http/, 'ws')}/api/live/link/${tokens[i % tokens.length]}`, {
            headers: { origin: app, 'cf-connecting-ip': nextIp() },
          });
          ws.on('message', (data) => {
            if (String(data).startsWith('{"type":"hello"')) ws.close();
          });
          ws.once('close', () => resolve());
          ws.once('error', reject);
        }),
      // A client coming back after a deploy: the upgrade with its page's ticket, then its catch-up (one event).
      'storm-return': async (i) => {
        const token = tokens[i % tokens.length]!;
        const ticket = stormTickets.get(token);
        if (!ticket) throw new Error('No ticket came with the portal read.');
        await new Promise<void>((resolve, reject) => {
          const ws = new WebSocket(
            `${app.replace(/^http/, 'ws')}/api/live/link/${token}?ticket=${encodeURIComponent(ticket)}`,
            { headers: { origin: app, 'cf-connecting-ip': nextIp() } },
          );
          ws.on('message', (data) => {
            const message = String(data);
            if (message.startsWith('{"type":"hello"')) ws.send(JSON.stringify({ type: 'sync', since: stormSince }));
            if (message.startsWith('{"type":"events"')) ws.close();
          });
          ws.once('close', () => resolve());
          ws.once('error', reject);
        });
      },
    };
    const stormTickets = new Map<string, string>();
    let stormSince = 0;
    if (path === 'storm-return') {
      for (const token of tokens) {
        const read = JSON.parse(
          await call(`/api/booking/${token}/calendar`, { headers: { 'cf-connecting-ip': nextIp() } }),
        ) as { version: number; ticket?: { value: string } };
        if (read.ticket) stormTickets.set(token, read.ticket.value);
        stormSince = read.version;
      }
      // One change the returning clients catch up on.
      await call(
        '/api/teacher/slots',
        {
          method: 'POST',
          headers,
          body: JSON.stringify({
            start: new Date(Date.now() + 300 * 86_400_000).toISOString().slice(0, 10) + 'T08:00',
          }),
        },
        201,
      );
    }
    const run = paths[path];
    if (!run) throw new Error(`--path must be one of ${Object.keys(paths).join(', ')}`);
    if (path === 'cancel') for (let i = 0; i < requests; i++) await book(i);
    for (let i = 0; i < 5 && path !== 'cancel' && path !== 'book'; i++) await run(i);

    const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
      title: string;
      webSocketDebuggerUrl: string;
    }[];
    note(`inspector targets: ${targets.map((t) => t.title).join(', ')}`);
    const target = targets.find((t) => /slotcast|core:user/i.test(t.title)) ?? targets[0]!;
    const session = await devtools(target.webSocketDebuggerUrl);
    await session.send('Profiler.enable');
    await session.send('Profiler.setSamplingInterval', { interval: 100 });
    await session.send('Profiler.start');
    const started = performance.now();
    for (let i = 0; i < requests; i++) await run(i);
    const wallMs = performance.now() - started;
    // Work left after the answers (waitUntil, the queue consumer, the object's fan-out) lands in the profile too.
    await new Promise((r) => setTimeout(r, 1_500));
    const { profile } = await session.send<{ profile: Profile }>('Profiler.stop');
    // The bundle wrangler dev built (deleted when it stops), so the profile's line numbers can be read.
    for (const dir of await readdir(join(ROOT, '.wrangler', 'tmp')).catch(() => [] as string[]))
      await copyFile(join(ROOT, '.wrangler', 'tmp', dir, 'index.js'), join(dataDir, `${dir}.js`)).catch(() => {});
    session.close();
    const file = join(dataDir, `${path}.cpuprofile`);
    await writeFile(file, JSON.stringify(profile));
    const summary = summarise(profile, top);
    const idle = summary.functions.filter((line) => /\(idle\)/.test(line));
    console.log(`# ${path}: ${requests} requests, ${round(wallMs / requests, 1)} ms wall each; profile ${file}`);
    console.log(`# sampled ${round(summary.totalMs, 0)} ms (${idle.join('; ') || 'idle not sampled'})`);
    console.log('## self time by function');
    for (const line of summary.functions) console.log(line);
    console.log('## total (inclusive) time by function');
    for (const line of summary.inclusive) console.log(line);
    console.log('## self time by file');
    for (const line of summary.files) console.log(line);
  } finally {
    await stack.stop();
  }
}
