/**
 * The portal's and the student dashboard's first reads start from a script inlined in their prerendered HTML
 * shells (src/lib/shell-reads.ts): inline, because a script file would cost a round trip of its own before the
 * reads could start. This builds each script (a few KB, minified, with Vite) and writes it into its shell, with
 * its hash added to the shell's <meta> Content-Security-Policy beside the hash SvelteKit put there for its own
 * bootstrap script, so the policy still allows no inline script but these.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Each shell (a file under the build folder) and the module its inline script is built from. */
const SHELLS = [
  // The portal's one prerendered shell (routes/book/[teacherId]/[token]/+page.ts).
  { html: join('book', 'shell', 'shell.html'), entry: source('../src/lib/portal/shell-script.ts') },
  { html: 'student.html', entry: source('../src/lib/student-shell-script.ts') },
];

/** `entry`, bundled and minified into one classic script (no imports left). */
export async function bundleShellScript(entry: string): Promise<string> {
  const output = await build({
    configFile: false,
    logLevel: 'warn',
    resolve: { alias: { '#shared': source('../../shared') } },
    build: {
      write: false,
      target: 'es2022',
      minify: true,
      lib: { entry, formats: ['iife'], name: 'slotcastShellReads', fileName: 'shell-reads' },
    },
  });
  const chunk = [output].flat().flatMap((result) => ('output' in result ? result.output : []))[0];
  if (!chunk || chunk.type !== 'chunk') throw new Error(`Bundling ${entry} produced no code.`);
  return chunk.code.trim();
}

/** `html` with `code` as an inline script right after its CSP <meta> (before any stylesheet can hold it back). */
export function withInlineScript(html: string, code: string): string {
  if (/<\/script/i.test(code)) throw new Error('A shell script must not contain "</script".');
  const meta = /<meta http-equiv="content-security-policy" content="([^"]*)">/.exec(html);
  if (!meta) throw new Error('The shell has no <meta> Content-Security-Policy to allow its script in.');
  const hash = `'sha256-${createHash('sha256').update(code).digest('base64')}'`;
  const policy = meta[1]!.replace(/script-src ([^;]*)/, (directive) => `${directive} ${hash}`);
  if (policy === meta[1]) throw new Error('The shell’s policy has no script-src for the script’s hash.');
  const tag = `<meta http-equiv="content-security-policy" content="${policy}">`;
  return html.replace(meta[0], `${tag}\n\t\t<script>${code}</script>`);
}

/** Writes each shell's script into it, under `buildDir`. */
export async function inlineShellReads(buildDir: string): Promise<void> {
  for (const { html, entry } of SHELLS) {
    const file = join(buildDir, html);
    writeFileSync(file, withInlineScript(readFileSync(file, 'utf8'), await bundleShellScript(entry)));
  }
}
