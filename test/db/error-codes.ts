/**
 * The error code each backend reports for each refused write, collected while a conformance file runs and
 * compared across backends at its end: the app maps `SQLITE_CONSTRAINT` to its answers, so every backend must
 * report that same code.
 */
import type { LibsqlError } from '@libsql/client';
import { describe, expect, it } from 'vitest';
import { backends } from './backends.ts';

export function errorCodesAcrossBackends() {
  const seen = new Map<string, Map<string, string | undefined>>();
  return {
    record(check: string, backend: string, error: LibsqlError): void {
      if (!seen.has(check)) seen.set(check, new Map());
      seen.get(check)!.set(backend, error.code);
    },
    /** Declares the closing test; call it at the file's top level, after the per-backend suites. */
    expectTheSameEverywhere(): void {
      describe('across backends', () => {
        it('reports the same error code for each refused write', () => {
          expect(seen.size).toBeGreaterThan(0);
          for (const [check, byBackend] of seen) {
            expect(byBackend.size, check).toBe(backends.length);
            expect(new Set(byBackend.values()), check).toEqual(new Set(['SQLITE_CONSTRAINT']));
          }
        });
      });
    },
  };
}
