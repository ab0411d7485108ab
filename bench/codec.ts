/**
 * `npm run bench -- codec [--calls 200000]`
 *
 * What a hash or a base64url costs inside workerd itself, per call, for the choices in worker/crypto/: the
 * JavaScript of `@oslojs/*` against the runtime's native `node:crypto` and `Buffer`. A profile can't say (it
 * inflates code of many small calls), and Node's figures aren't workerd's (its `node:crypto` wrapper differs).
 * A bare Worker runs each candidate `calls` times in one request; workerd's own CPU counters around that
 * request, less an empty loop's in the same run, divided by the calls, give µs per call. Prints one JSON line.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { freePort, ROOT } from '../scripts/stack.ts';
import { round, note } from './stats.ts';
import { cpuMsOf } from './workerd-cpu.ts';

/** The bare Worker: each candidate reads one input, as its caller in worker/ does. */
const WORKER = `
import { hmac } from '@oslojs/crypto/hmac';
import { SHA256, sha256 } from '@oslojs/crypto/sha2';
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { createHash, createHmac } from 'node:crypto';
import { fromBase64url, toBase64url } from './worker/crypto/base64url.ts';

const encoder = new TextEncoder();
// A sealed confirmation payload's size: 1,100 bytes, 1,467 characters of base64url.
const payload = new Uint8Array(1100).map((_, i) => (i * 37) % 256);
const sealed = toBase64url(payload);
const token = 'abcdefghijklmnopqrstuvwxyz234567';
const key = 'a-secret-key-of-the-usual-length-xxxxxxxx';
const candidates = {
  empty: () => token,
  sha256_oslo: (i) => encodeHexLowerCase(sha256(encoder.encode(token + (i % 10)))),
  sha256_node: (i) => createHash('sha256').update(token + (i % 10)).digest('hex'),
  hmac_oslo: (i) => encodeHexLowerCase(hmac(SHA256, encoder.encode(key), encoder.encode('ip:127.0.0.' + (i % 10)))),
  hmac_node: (i) => createHmac('sha256', key).update('ip:127.0.0.' + (i % 10)).digest('hex'),
  base64url_decode_oslo: () => decodeBase64urlIgnorePadding(sealed),
  base64url_decode_buffer: () => fromBase64url(sealed),
  base64url_encode_oslo: () => encodeBase64urlNoPadding(payload),
  base64url_encode_buffer: () => toBase64url(payload),
};
export default {
  fetch(request) {
    const url = new URL(request.url);
    const run = candidates[url.searchParams.get('candidate')];
    const calls = Number(url.searchParams.get('calls'));
    let sink = 0;
    // Strings and byte arrays alike have a length: reading it keeps the result alive without more work.
    for (let i = 0; i < calls; i++) sink ^= run(i).length ?? 0;
    return new Response(String(sink));
  },
};
`;

const CANDIDATES = [
  'empty',
  'sha256_oslo',
  'sha256_node',
  'hmac_oslo',
  'hmac_node',
  'base64url_decode_oslo',
  'base64url_decode_buffer',
  'base64url_encode_oslo',
  'base64url_encode_buffer',
];

export async function main(args: Map<string, string>): Promise<void> {
  const calls = Number(args.get('calls') ?? 200_000);
  const dir = await mkdtemp(join(tmpdir(), 'slotcast-codec-'));
  const port = await freePort();
  const bundled = await build({
    stdin: { contents: WORKER, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    external: ['node:*'],
    write: false,
  });
  await writeFile(join(dir, 'worker.js'), bundled.outputFiles[0]!.text);
  await writeFile(
    join(dir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker.js") ],
  compatibilityDate = "2026-11-01",
  compatibilityFlags = ["nodejs_compat"],
);
`,
  );
  const workerd = spawn(join(ROOT, 'node_modules/.bin/workerd'), ['serve', join(dir, 'config.capnp')], {
    stdio: 'ignore',
  });
  try {
    const call = async (candidate: string, n: number) => {
      const response = await fetch(`http://127.0.0.1:${port}/?candidate=${candidate}&calls=${n}`);
      if (!response.ok) throw new Error(`${candidate}: ${response.status}`);
      await response.text();
    };
    for (let attempt = 0; ; attempt++) {
      try {
        await call('empty', 1);
        break;
      } catch (error) {
        if (attempt > 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const pids = [workerd.pid!];
    const msPerCall: Record<string, number> = {};
    for (const candidate of CANDIDATES) {
      await call(candidate, calls / 10); // warm: the JIT compiles the loop and the candidate
      const before = cpuMsOf(pids);
      await call(candidate, calls);
      msPerCall[candidate] = (cpuMsOf(pids) - before) / calls;
      note(`${candidate}: ${round(msPerCall[candidate]! * 1000, 2)} µs per call`);
    }
    const empty = msPerCall.empty!;
    const us = Object.fromEntries(
      CANDIDATES.filter((c) => c !== 'empty').map((c) => [c, round((msPerCall[c]! - empty) * 1000, 2)]),
    );
    console.log(JSON.stringify({ bench: 'codec', calls, empty_loop_us: round(empty * 1000, 3), us_per_call: us }));
  } finally {
    workerd.kill();
    await rm(dir, { recursive: true, force: true });
  }
}
