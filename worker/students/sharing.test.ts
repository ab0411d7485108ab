/**
 * The sharing rule is enforced in one place: only sharing.ts reads a student's availability on a teacher's
 * behalf. Any other Worker module that imports the `availability` table (or the shares) would be a second
 * door, so the only other one allowed is the student's own dashboard route, which reads and writes by the
 * signed-in student's account alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ALLOWED = {
  // booking/parties.ts reads only the time zone, for the student's own emails: no teacher sees it.
  availability: ['worker/routes/student.ts', 'worker/students/sharing.ts', 'worker/booking/parties.ts'],
  availabilityShares: ['worker/students/sharing.ts'],
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [relative(ROOT, path)] : [];
  });
}

/** The names a module imports from db/schema.ts. */
function schemaImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'[./]*db\/schema\.ts'/g)].flatMap((m) =>
    m[1]!.split(',').map(
      (name) =>
        name
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)[0]!,
    ),
  );
}

describe('who reads students’ availability', () => {
  const files = sources(join(ROOT, 'worker'));

  it('finds the modules it polices, so it cannot pass on an empty scan', () => {
    expect(files).toContain('worker/students/sharing.ts');
    expect(schemaImports('worker/students/sharing.ts')).toEqual(
      expect.arrayContaining(['availability', 'availabilityShares']),
    );
  });

  for (const [table, allowed] of Object.entries(ALLOWED)) {
    it(`only ${allowed.join(' and ')} import the ${table} table`, () => {
      const importers = files.filter((file) => schemaImports(file).includes(table));
      expect(importers.sort()).toEqual([...allowed].sort());
    });
  }
});
