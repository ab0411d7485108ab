/**
 * Every secret the tests are handed (session cookies, API keys, share-link and sign-in tokens), written to a
 * file in the shared stack's data dir, so the last test of the run can search the whole run's logs for each one
 * (test/log-audit). Tokens that only travel by email are read from the dev mailbox there instead.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

/** `oauth`: states, nonces, authorization codes and flow cookies of sign-ins through a provider. */
export type TokenKind = 'session' | 'api_key' | 'share_link' | 'sign_in' | 'oauth';

export const LEDGER_FILE = 'issued-tokens.jsonl';

const SECRET_SHAPES: [TokenKind, RegExp][] = [
  ['api_key', /\bsc_[a-z2-7]{52}\b/g],
  ['share_link', /\/book\/[^/\s"]+\/([a-z2-7]{32,})/g],
  ['sign_in', /#token=([a-z2-7]{16,64})/g],
];

export function recordIssued(kind: TokenKind, value: string): void {
  appendFileSync(join(inject('dataDir'), LEDGER_FILE), JSON.stringify({ kind, value }) + '\n');
}

/** Secrets in a text (an API answer, an email): API keys, share-link URLs, sign-in links. */
export function secretsIn(text: string): { kind: TokenKind; value: string }[] {
  const found: { kind: TokenKind; value: string }[] = [];
  for (const [kind, shape] of SECRET_SHAPES)
    for (const match of text.matchAll(shape)) found.push({ kind, value: match[1] ?? match[0] });
  return found;
}

/** Records the secrets of one API exchange: a session cookie set or sent, and any secret in the body. */
export function recordExchange(sentCookie: string | undefined, headers: Headers, body: string): void {
  const cookies = [sentCookie, ...headers.getSetCookie()]
    .flatMap((c) => (c ? [/slotcast_session=([^;]+)/.exec(c)?.[1]] : []))
    .filter((v): v is string => !!v);
  for (const value of cookies) recordIssued('session', value);
  for (const { kind, value } of secretsIn(body)) recordIssued(kind, value);
}
