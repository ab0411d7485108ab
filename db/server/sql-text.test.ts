import { describe, expect, it } from 'vitest';
import { classify, isInsert, isInsertUpdateDelete, isReadonly, parameterNames, splitStatements } from './sql-text.ts';

describe('splitStatements', () => {
  it('splits on semicolons outside strings, identifiers and comments', () => {
    const sql = `INSERT INTO t VALUES ('a;b', "c;d", [e;f], \`g;h\`); -- one; two\nSELECT 1 /* ; */ ; ;`;
    expect(splitStatements(sql).map((s) => s.trim())).toEqual([
      `INSERT INTO t VALUES ('a;b', "c;d", [e;f], \`g;h\`)`,
      '-- one; two\nSELECT 1 /* ; */',
    ]);
  });

  it('keeps a trigger body with its own semicolons, and CASE … END, in one statement', () => {
    const trigger = `CREATE TEMP TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE u SET n = CASE WHEN NEW.x THEN 1 ELSE 2 END;\n  DELETE FROM v;\nEND`;
    expect(splitStatements(`${trigger};\nSELECT 2;`).map((s) => s.trim())).toEqual([trigger, 'SELECT 2']);
  });

  it('finds no statement in blank text or bare comments, and one without a final semicolon', () => {
    expect(splitStatements('  -- nothing\n /* here */ ;')).toEqual([]);
    expect(splitStatements('SELECT 1')).toEqual(['SELECT 1']);
  });

  it("splits the project's migration that creates triggers per breakpoint only", async () => {
    const { readFile } = await import('node:fs/promises');
    const migration = await readFile(new URL('../migrations/0001_slot_overlap_guard.sql', import.meta.url), 'utf8');
    const pieces = migration.split('--> statement-breakpoint');
    expect(pieces.map((piece) => splitStatements(piece).length)).toEqual([1, 1]);
  });
});

describe('classify', () => {
  it('names the main verb, looking through WITH and EXPLAIN', () => {
    expect(classify('  with a AS (SELECT 1), b(x) AS (VALUES (2)) INSERT INTO t SELECT * FROM a')).toEqual({
      verb: 'INSERT',
      isExplain: false,
    });
    expect(classify('EXPLAIN QUERY PLAN DELETE FROM t')).toEqual({ verb: 'DELETE', isExplain: true });
    expect(isInsert(classify('REPLACE INTO t VALUES (1)'))).toBe(true);
    expect(isInsertUpdateDelete(classify('/* x */ UPDATE t SET a = 1'))).toBe(true);
    expect(isInsertUpdateDelete(classify('CREATE TABLE t (x)'))).toBe(false);
  });

  it('tells reads and transaction control from writes', () => {
    expect(
      ['SELECT 1', 'BEGIN', 'COMMIT', 'PRAGMA foreign_keys', 'EXPLAIN INSERT INTO t VALUES (1)'].map(isReadonly),
    ).toEqual([true, true, true, true, true]);
    expect(['INSERT INTO t VALUES (1)', 'PRAGMA foreign_keys = OFF', 'CREATE TABLE t (x)'].map(isReadonly)).toEqual([
      false,
      false,
      false,
    ]);
  });
});

describe('parameterNames', () => {
  it('numbers parameters as SQLite does', () => {
    expect(parameterNames("SELECT ?, :a, ?5, :a, @b, $c, ?, '?'")).toEqual([
      null,
      ':a',
      null,
      null,
      '?5',
      '@b',
      '$c',
      null,
    ]);
  });
});
