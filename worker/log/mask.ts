import { DbRequestError, describeDbFailure } from '../db-retry.ts';

/**
 * Paths that carry a share-link token are logged with the token replaced, so request logs can be kept and
 * shared without granting access to anyone's calendar.
 */
const TOKEN_PATHS: RegExp[] = [
  /^(\/api\/booking\/)([^/]+)/,
  /^(\/book\/[^/]+\/)([^/]+)/,
  /^(\/api\/live\/link\/)([^/]+)/,
];

export function maskPath(path: string): string {
  for (const pattern of TOKEN_PATHS) {
    const match = pattern.exec(path);
    if (match && match[2] !== 'confirm') return path.replace(pattern, '$1[token]');
  }
  return path;
}

/** Anything shaped like an email address: a person's address is theirs, not the log's. */
const EMAIL_ADDRESS = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+\.[a-z]{2,}/gi;

export function maskEmails(text: string): string {
  return text.replace(EMAIL_ADDRESS, '[email]');
}

/**
 * An error as one log line, the cause first. A failed query is told as `DB request failed: <cause> — in: <the
 * first 200 characters of its SQL>`: drizzle's own message starts with the whole SQL and ends with the
 * statement's parameters (emails, hashes), which stay out of logs, and so does any address the message itself
 * quotes (an SMTP reply, say).
 */
export function describeForLog(error: unknown): string {
  const chain: unknown[] = [];
  for (let e: unknown = error; e && chain.length < 8; e = (e as { cause?: unknown }).cause) chain.push(e);
  const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
  const retried = chain.find((e) => e instanceof DbRequestError);
  if (retried) return oneLine(messageOf(retried));
  const queryAt = chain.findIndex((e) => messageOf(e).startsWith(FAILED_QUERY));
  if (queryAt >= 0) {
    const sql = messageOf(chain[queryAt]).slice(FAILED_QUERY.length).split('\nparams:')[0]!;
    const cause = chain[queryAt + 1] ?? new Error('no cause given');
    return oneLine(describeDbFailure(cause, [sql]));
  }
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return oneLine(text.split('\nparams:')[0]! + cause.split('\nparams:')[0]!);
}

const FAILED_QUERY = 'Failed query: ';
const oneLine = (text: string) => maskEmails(text).replace(/\s+/g, ' ').slice(0, 500);
