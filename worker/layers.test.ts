/**
 * The Worker's layering as a rule: a module imports only from its own layer or the layers below, and no two
 * modules import each other, directly or round a loop. Type-only imports count too: a type that pulls a module
 * back up is how cycles start. The layer map lives here, in one place; a new folder needs a line in it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Lowest first. A path ending in `/` is a folder; a module belongs to the first entry that matches. */
const LAYERS: [layer: string, paths: string[]][] = [
  // Pure code the browser imports too (the top-level shared/ folder): nothing of the project below it.
  ['shared', ['shared/']],
  // db-retry.ts is base: the retry policy and the failure's description over the libSQL client, importing only
  // errors.ts, so log/ can describe a database failure without reaching up to db.ts.
  [
    'base',
    [
      'worker/env.ts',
      'worker/oauth-config.ts',
      'worker/errors.ts',
      'worker/clock.ts',
      'worker/db-retry.ts',
      'worker/db-http.ts',
      'worker/log/',
      'worker/crypto/',
    ],
  ],
  [
    'infrastructure',
    [
      'worker/db.ts',
      'worker/db-template.ts',
      'worker/audit.ts',
      'worker/email/',
      'worker/live/',
      'worker/http/',
      'worker/metrics/',
    ],
  ],
  [
    'domain',
    [
      'worker/auth/',
      'worker/booking/',
      'worker/calendar/',
      'worker/share-links/',
      'worker/students/',
      'worker/teachers/',
      'worker/api-keys/',
      'worker/reminders/',
      'worker/analytics/',
    ],
  ],
  ['entry points', ['worker/routes/', 'worker/jobs/']],
  ['app', ['worker/app.ts', 'worker/index.ts']],
  // The benchmark's Worker wraps the production one; nothing imports it.
  ['bench', ['worker/bench/']],
];

function layerOf(file: string): number {
  return LAYERS.findIndex(([, paths]) => paths.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p)));
}

function modulesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return modulesUnder(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [relative(ROOT, path)] : [];
  });
}

/** Every relative import (static, dynamic, type-only, re-export) of a module, as a path from the repo root. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
  return importedFiles
    .map((i) => i.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => relative(ROOT, resolve(ROOT, dirname(file), name)));
}

const modules = [...modulesUnder(join(ROOT, 'shared')), ...modulesUnder(join(ROOT, 'worker'))];
const inScope = (target: string) => target.startsWith('worker/') || target.startsWith('shared/');
const graph = new Map(modules.map((file) => [file, importsOf(file).filter(inScope)]));

describe('the Worker’s layers', () => {
  it('keeps shared/ free of everything else in the project', () => {
    const outside = modules
      .filter((file) => file.startsWith('shared/'))
      .flatMap((file) =>
        importsOf(file)
          .filter((target) => !target.startsWith('shared/'))
          .map((to) => `${file} → ${to}`),
      );
    expect(outside).toEqual([]);
  });

  it('gives every module a layer', () => {
    expect(modules.filter((file) => layerOf(file) === -1)).toEqual([]);
  });

  it('imports only downwards (or within a layer)', () => {
    const upward = [...graph].flatMap(([from, targets]) =>
      targets
        .filter((to) => layerOf(to) > layerOf(from))
        .map((to) => `${from} (${LAYERS[layerOf(from)]?.[0]}) → ${to} (${LAYERS[layerOf(to)]?.[0]})`),
    );
    expect(upward).toEqual([]);
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of modules) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('keeps the benchmark out of the production Worker', () => {
    const reachable = new Set<string>();
    const walk = (file: string) => {
      if (reachable.has(file)) return;
      reachable.add(file);
      for (const target of graph.get(file) ?? []) walk(target);
    };
    walk('worker/index.ts');
    expect([...reachable].filter((file) => file.startsWith('worker/bench/'))).toEqual([]);
  });
});
