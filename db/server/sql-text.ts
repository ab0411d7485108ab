/**
 * What the server needs to know about SQL text without executing it: where statements end (so `execute`
 * refuses two statements, as Turso does, and `sequence` runs one statement at a time), what kind a statement
 * is (Hrana reports `affected_row_count` only for INSERT/UPDATE/DELETE and `last_insert_rowid` only for
 * INSERT), and which parameters it takes (`describe`). The splitter follows sqlite3_complete(): a `;` ends a
 * statement, except inside CREATE TRIGGER … BEGIN … END.
 */

type Token = { kind: 'semi' | 'space' | 'word' | 'param' | 'open' | 'close' | 'other'; text: string; start: number };

/** SQLite's lexical rules, reduced to what the splitter, classifier and parameter scan look at. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: Token['kind'], end: number) => {
    tokens.push({ kind, text: sql.slice(i, end), start: i });
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (/\s/.test(c))
      push(
        'space',
        skipWhile(sql, i, (ch) => /\s/.test(ch)),
      );
    else if (c === '-' && next === '-') push('space', lineEnd(sql, i));
    else if (c === '/' && next === '*') push('space', blockCommentEnd(sql, i));
    else if (c === "'" || c === '"' || c === '`') push('other', quoteEnd(sql, i, c));
    else if (c === '[') push('other', indexOrEnd(sql, ']', i + 1));
    else if (c === ';') push('semi', i + 1);
    else if (c === '(') push('open', i + 1);
    else if (c === ')') push('close', i + 1);
    else if (c === '?') push('param', skipWhile(sql, i + 1, isDigit));
    else if ((c === ':' || c === '@' || c === '$') && next !== undefined && isIdentChar(next))
      push('param', skipWhile(sql, i + 1, isIdentChar));
    else if (isIdentChar(c) && !isDigit(c)) push('word', skipWhile(sql, i, isIdentChar));
    else push('other', isDigit(c) ? skipWhile(sql, i, (ch) => isIdentChar(ch) || ch === '.') : i + 1);
  }
  return tokens;
}

const isDigit = (ch: string) => ch >= '0' && ch <= '9';
const isIdentChar = (ch: string) => /[A-Za-z0-9_$]/.test(ch) || ch.charCodeAt(0) > 0x7f;

function skipWhile(sql: string, from: number, test: (ch: string) => boolean): number {
  let i = from;
  while (i < sql.length && test(sql[i]!)) i++;
  return i;
}
const indexOrEnd = (sql: string, needle: string, from: number) => {
  const at = sql.indexOf(needle, from);
  return at < 0 ? sql.length : at + needle.length;
};
const lineEnd = (sql: string, from: number) => indexOrEnd(sql, '\n', from);
const blockCommentEnd = (sql: string, from: number) => indexOrEnd(sql, '*/', from + 2);

function quoteEnd(sql: string, from: number, quote: string): number {
  let i = from + 1;
  for (;;) {
    const at = sql.indexOf(quote, i);
    if (at < 0) return sql.length;
    if (sql[at + 1] !== quote) return at + 1;
    i = at + 2; // a doubled quote is an escaped quote
  }
}

// sqlite3_complete()'s state machine. States: 0 start-of-input, 1 between statements, 2 in a statement,
// 3 after EXPLAIN, 4 after CREATE, 5 in a trigger, 6 after `;` in a trigger, 7 after `; END` in a trigger.
const TRANSITIONS: Record<'semi' | 'ws' | 'other' | 'explain' | 'create' | 'temp' | 'trigger' | 'end', number[]> = {
  semi: [1, 1, 1, 1, 1, 6, 6, 1],
  ws: [0, 1, 2, 3, 4, 5, 6, 7],
  other: [2, 2, 2, 3, 2, 5, 5, 5],
  explain: [3, 3, 2, 2, 2, 5, 5, 5],
  create: [4, 4, 2, 4, 2, 5, 5, 5],
  temp: [2, 2, 2, 2, 4, 5, 5, 5],
  trigger: [2, 2, 2, 2, 5, 5, 5, 5],
  end: [2, 2, 2, 2, 2, 5, 7, 5],
};

function completeClass(token: Token): keyof typeof TRANSITIONS {
  if (token.kind === 'semi') return 'semi';
  if (token.kind === 'space') return 'ws';
  if (token.kind !== 'word') return 'other';
  const word = token.text.toUpperCase();
  if (word === 'EXPLAIN') return 'explain';
  if (word === 'CREATE') return 'create';
  if (word === 'TEMP' || word === 'TEMPORARY') return 'temp';
  if (word === 'TRIGGER') return 'trigger';
  if (word === 'END') return 'end';
  return 'other';
}

/** The statements in `sql`, each without its trailing `;`; empty statements and bare comments are dropped. */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let state = 0;
  let start = 0;
  let meaningful = false;
  for (const token of tokenize(sql)) {
    const cls = completeClass(token);
    state = TRANSITIONS[cls][state]!;
    if (cls === 'semi' && state === 1) {
      if (meaningful) statements.push(sql.slice(start, token.start));
      start = token.start + 1;
      meaningful = false;
    } else if (cls !== 'ws') meaningful = true;
  }
  if (meaningful) statements.push(sql.slice(start));
  return statements;
}

export type StatementKind = {
  /** The statement's verb (`SELECT`, `INSERT`, `CREATE`…); for `WITH …` the verb of the main statement. */
  verb: string;
  isExplain: boolean;
};

const MAIN_VERBS = new Set(['SELECT', 'VALUES', 'INSERT', 'REPLACE', 'UPDATE', 'DELETE']);

export function classify(sql: string): StatementKind {
  const words = tokenize(sql).filter((t) => t.kind !== 'space');
  let at = 0;
  let isExplain = false;
  if (words[at]?.text.toUpperCase() === 'EXPLAIN') {
    isExplain = true;
    at++;
    if (words[at]?.text.toUpperCase() === 'QUERY' && words[at + 1]?.text.toUpperCase() === 'PLAN') at += 2;
  }
  const first = words[at]?.kind === 'word' ? words[at]!.text.toUpperCase() : '';
  if (first !== 'WITH') return { verb: first, isExplain };
  // Common table expressions sit in parentheses; the first verb at depth 0 is the main statement's.
  let depth = 0;
  for (const token of words.slice(at + 1)) {
    if (token.kind === 'open') depth++;
    else if (token.kind === 'close') depth--;
    else if (depth === 0 && token.kind === 'word' && MAIN_VERBS.has(token.text.toUpperCase()))
      return { verb: token.text.toUpperCase(), isExplain };
  }
  return { verb: 'WITH', isExplain };
}

export const isInsert = (kind: StatementKind) => !kind.isExplain && (kind.verb === 'INSERT' || kind.verb === 'REPLACE');
export const isInsertUpdateDelete = (kind: StatementKind) =>
  isInsert(kind) || (!kind.isExplain && (kind.verb === 'UPDATE' || kind.verb === 'DELETE'));

const READONLY_VERBS = new Set(['SELECT', 'VALUES', 'BEGIN', 'COMMIT', 'END', 'ROLLBACK', 'SAVEPOINT', 'RELEASE']);

/** Close to sqlite3_stmt_readonly(): reads, explains and transaction control change nothing by themselves. */
export function isReadonly(sql: string): boolean {
  const kind = classify(sql);
  if (kind.isExplain || READONLY_VERBS.has(kind.verb)) return true;
  return kind.verb === 'PRAGMA' && !tokenize(sql).some((t) => t.text === '=' || t.kind === 'open');
}

/** Parameter names by index as sqlite3_bind_parameter_name() gives them (`null` for a bare `?`), from index 1. */
export function parameterNames(sql: string): (string | null)[] {
  const names: (string | null)[] = [];
  const named = new Map<string, number>();
  for (const token of tokenize(sql)) {
    if (token.kind !== 'param') continue;
    if (token.text === '?') {
      names.push(null);
    } else if (token.text.startsWith('?')) {
      const index = Number(token.text.slice(1));
      while (names.length < index) names.push(null);
      names[index - 1] = token.text;
    } else if (!named.has(token.text)) {
      names.push(token.text);
      named.set(token.text, names.length);
    }
  }
  return names;
}
