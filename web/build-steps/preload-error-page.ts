/**
 * The app starts by importing the root layout AND the root error page (SvelteKit loads both before the first
 * navigation, so a lost connection later can still show an error). SvelteKit's HTML preloads the layout's
 * modules but not the error page's, so the browser only asks for them once the entry script has run: one more
 * round trip before any page can request its data. This adds <link rel="modulepreload"> for the error page's
 * modules to every HTML file the build wrote, next to the layout's.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface ManifestChunk {
  file: string;
  imports?: string[];
}

/** The error page's module and the modules it imports, as paths under the build folder (`_app/immutable/…`). */
export function errorPageModules(manifest: Record<string, ManifestChunk>): string[] {
  const key = Object.keys(manifest).find((name) => /client-optimized\/nodes\/1\.js$/.test(name));
  if (!key) throw new Error('The client manifest has no root error page (nodes/1).');
  const files = new Set<string>();
  const visit = (name: string) => {
    const chunk = manifest[name];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  visit(key);
  return [...files];
}

/** Adds the missing preloads to one page, with the same relative prefix as the layout's own preload. */
export function withPreloads(html: string, modules: string[]): string {
  const layout = /<link href="((?:\.\.?\/)+|\/)_app\/immutable\/nodes\/0\.[^"]+\.js" rel="modulepreload">/.exec(html);
  if (!layout) return html;
  const prefix = layout[1]!;
  const links = modules
    .filter((file) => !html.includes(`${prefix}${file}"`))
    .map((file) => `\n\t\t<link href="${prefix}${file}" rel="modulepreload">`)
    .join('');
  return html.replace(layout[0], layout[0] + links);
}

function htmlFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.html'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Patches every HTML file under `buildDir`, given Vite's client output folder (with its `.vite/manifest.json`). */
export function preloadErrorPage(buildDir: string, clientDir: string): void {
  const manifest = JSON.parse(readFileSync(join(clientDir, '.vite', 'manifest.json'), 'utf8')) as Record<
    string,
    ManifestChunk
  >;
  const modules = errorPageModules(manifest);
  for (const file of htmlFiles(buildDir)) writeFileSync(file, withPreloads(readFileSync(file, 'utf8'), modules));
}
