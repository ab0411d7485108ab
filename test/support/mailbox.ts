/**
 * Reading the dev mailbox from tests: wait for an email, list what an address received, pull links out of an
 * email, and switch SMTP faults on and off. The mailbox URL comes from the stack's global setup.
 */
import { expect, inject } from 'vitest';
import type { Fault, FaultState, StoredEmail } from '../../scripts/mailbox/index.ts';

export type ReceivedEmail = StoredEmail;

const base = (mailboxUrl?: string) => mailboxUrl ?? inject('mailboxUrl');

export interface WaitForEmailOptions {
  subjectIncludes?: string;
  /** Only emails received after this time (epoch ms), e.g. `Date.now()` taken before the action. */
  after?: number;
  /** Default 15 s. */
  timeoutMs?: number;
  mailboxUrl?: string;
}

/** Every email to the address (To, Cc or envelope), newest first. */
export async function emailsTo(to: string, mailboxUrl?: string): Promise<ReceivedEmail[]> {
  const response = await fetch(`${base(mailboxUrl)}/api/messages?to=${encodeURIComponent(to)}`);
  if (!response.ok) throw new Error(`the dev mailbox answered ${response.status}`);
  return (await response.json()) as ReceivedEmail[];
}

/** Every email the mailbox holds, newest first. */
export async function allEmails(mailboxUrl?: string): Promise<ReceivedEmail[]> {
  const response = await fetch(`${base(mailboxUrl)}/api/messages`);
  if (!response.ok) throw new Error(`the dev mailbox answered ${response.status}`);
  return (await response.json()) as ReceivedEmail[];
}

/** Polls until an email to the address matches, and returns the newest match. */
export async function waitForEmail(to: string, options: WaitForEmailOptions = {}): Promise<ReceivedEmail> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  let seen: ReceivedEmail[];
  for (;;) {
    seen = await emailsTo(to, options.mailboxUrl);
    const match = seen.find(
      (m) =>
        (!options.subjectIncludes || m.subject.includes(options.subjectIncludes)) &&
        (!options.after || m.receivedAt > options.after),
    );
    if (match) return match;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 150));
  }
  const subjects = seen.map((m) => JSON.stringify(m.subject)).join(', ') || 'none';
  throw new Error(
    `no email to ${to}${options.subjectIncludes ? ` with "${options.subjectIncludes}" in the subject` : ''} within ${timeoutMs} ms (received: ${subjects})`,
  );
}

/** Asks `look` every 150 ms until it answers, or throws `failure()` after the timeout (default 15 s). */
async function poll<T>(look: () => Promise<T | undefined>, timeoutMs: number, failure: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await look();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(failure());
    await new Promise((r) => setTimeout(r, 150));
  }
}

/**
 * Waits until `select` finds at least `count` emails among those that reached the address (newest first), and
 * returns what it found.
 */
async function waitForCount(
  to: string,
  count: number,
  options: { timeoutMs?: number; mailboxUrl?: string },
  select: (newestFirst: ReceivedEmail[]) => ReceivedEmail[],
  what: string,
): Promise<ReceivedEmail[]> {
  let seen = 0;
  return poll(
    async () => {
      const found = select(await emailsTo(to, options.mailboxUrl));
      seen = found.length;
      return found.length >= count ? found : undefined;
    },
    options.timeoutMs ?? 15_000,
    () => `expected ${count} ${what} to ${to}, got ${seen}`,
  );
}

/** Waits until at least `count` emails reached the address; newest first. */
export function waitForEmails(
  to: string,
  count: number,
  options: { timeoutMs?: number; mailboxUrl?: string } = {},
): Promise<ReceivedEmail[]> {
  return waitForCount(to, count, options, (list) => list, 'emails');
}

/**
 * Waits until the address received `count` different emails, and returns each as first received, newest
 * first. An email sent again under its outbox id carries the same Message-ID (worker/email/delivery.ts): it is
 * the same email to a mail client. Other test files run the cron sweep at instants days ahead, which rightly
 * takes a row still being sent for an interrupted one and sends it again, so a test that counts emails counts
 * them this way.
 */
export function waitForDistinctEmails(
  to: string,
  count: number,
  options: { timeoutMs?: number; mailboxUrl?: string } = {},
): Promise<ReceivedEmail[]> {
  return waitForCount(to, count, options, firstOfEachMessage, 'different emails');
}

/** Each email as first received, so a repeat of an older email doesn't pass for the newest; newest first. */
function firstOfEachMessage(newestFirst: ReceivedEmail[]): ReceivedEmail[] {
  const byMessageId = new Map<string, ReceivedEmail>();
  for (const email of [...newestFirst].reverse())
    if (!byMessageId.has(email.messageId ?? email.id)) byMessageId.set(email.messageId ?? email.id, email);
  return [...byMessageId.values()].reverse();
}

const decodeEntities = (value: string) =>
  value.replace(
    /&(amp|lt|gt|quot|#39|#x27);/g,
    (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" })[name]!,
  );

/**
 * Every http(s) link in the email, in order of appearance and without repeats: the HTML's hrefs first
 * (entities decoded), then links in the text part.
 */
export function extractLinks(email: Pick<ReceivedEmail, 'html' | 'text'>): string[] {
  const fromHtml = [...(email.html ?? '').matchAll(/href\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)].map((m) =>
    decodeEntities(m[1] ?? m[2] ?? '').trim(),
  );
  // A URL in text ends at whitespace or a closing bracket; trailing sentence punctuation is not part of it.
  const fromText = [...(email.text ?? '').matchAll(/https?:\/\/[^\s<>()"']+/g)].map((m) =>
    m[0].replace(/[.,;:!?]+$/, ''),
  );
  return [...new Set([...fromHtml, ...fromText].filter((link) => /^https?:\/\//i.test(link)))];
}

/** The first link whose URL contains the fragment (e.g. '/login/verify'); fails the test if there is none. */
export function linkContaining(email: Pick<ReceivedEmail, 'html' | 'text'>, fragment: string): string {
  const link = extractLinks(email).find((l) => l.includes(fragment));
  if (!link)
    throw new Error(`no link containing ${fragment} in the email; links: ${extractLinks(email).join(', ') || 'none'}`);
  return link;
}

/** The one-time token from a sign-in email's link (`…/login/verify#token=…`). */
export function tokenFromEmail(email: Pick<ReceivedEmail, 'text'>): string {
  const match = /\/login\/verify#token=([a-z2-7]+)/.exec(email.text);
  if (!match) throw new Error(`no sign-in link in: ${email.text.slice(0, 200)}`);
  return match[1]!;
}

export interface ExpectEmailOptions extends WaitForEmailOptions {
  /** Text the plain-text part must contain. */
  textIncludes?: string | string[];
}

/**
 * Waits for an email to the address (see waitForEmail) and asserts what a reader would check: the subject and
 * the text they would read. Returns the email for further checks.
 */
export async function expectEmailTo(to: string, options: ExpectEmailOptions = {}): Promise<ReceivedEmail> {
  const email = await waitForEmail(to, options);
  if (options.subjectIncludes) expect(email.subject).toContain(options.subjectIncludes);
  for (const text of [options.textIncludes ?? []].flat()) expect(email.text).toContain(text);
  return email;
}

/** Switches an SMTP fault on or off; see scripts/mailbox/index.ts. */
export async function smtpFault(fault: Fault, mailboxUrl?: string): Promise<FaultState> {
  const response = await fetch(`${base(mailboxUrl)}/api/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  if (!response.ok) throw new Error(`the dev mailbox refused the fault: ${await response.text()}`);
  return (await response.json()) as FaultState;
}

/** Deletes every email in the mailbox (shared by every test of the run: prefer unique addresses instead). */
export async function clearMailbox(mailboxUrl?: string): Promise<void> {
  await fetch(`${base(mailboxUrl)}/api/messages`, { method: 'DELETE' });
}
