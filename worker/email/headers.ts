/**
 * Every header value Slotcast writes, made safe whatever the caller passed: text flattened to one inert line
 * (no CR, LF or other control can end a header and start another), addresses checked to be a plain addr-spec,
 * and, for the raw MIME we hand to SMTP, display names quoted per RFC 5322 and non-ASCII or unusual text as
 * RFC 2047 encoded-words folded under 78 columns. The API's input rules (worker/http/text.ts) refuse such
 * values earlier; this layer does not rely on them.
 */
import { toOneLine } from '../../emails/text-rules.ts';

export interface Mailbox {
  name?: string;
  email: string;
}

/** The headers of one outgoing email, each already safe to write. */
export interface SafeHeaders {
  from: Mailbox;
  to: string;
  subject: string;
  /** Extra headers (names are checked tokens, values flattened). */
  extra: Record<string, string>;
}

const MAX_HEADER_TEXT = 250;

/**
 * A plain addr-spec: dot-atom local part, a hostname. Anything else (quotes, spaces, angle brackets, CR/LF,
 * several addresses) is refused rather than repaired: a wrong recipient must not be guessed at.
 */
const ADDR_SPEC =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const HEADER_NAME = /^[!-9;-~]+$/;

export function checkedAddress(email: string): string {
  if (email.length > 254 || !ADDR_SPEC.test(email))
    throw new Error('Refusing to send: the address is not a single plain email address.');
  return email;
}

/** Text for a header: one line, no controls, at most 250 characters (whole code points). */
export function headerText(value: string): string {
  const line = toOneLine(value);
  const chars = [...line];
  return chars.length > MAX_HEADER_TEXT ? chars.slice(0, MAX_HEADER_TEXT - 1).join('') + '…' : line;
}

/** Parses `Name <address>` or a bare address, as EMAIL_FROM is written. */
export function parseMailbox(value: string): Mailbox {
  const match = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(value);
  const raw = match ? { name: match[1]?.replace(/^"(.*)"$/, '$1'), email: match[2]! } : { email: value.trim() };
  const name = raw.name ? headerText(raw.name) : '';
  return { ...(name ? { name } : {}), email: checkedAddress(raw.email.trim()) };
}

/** The headers of an email with every value made safe; throws when an address can't be used as given. */
export function safeHeaders(input: {
  from: string;
  to: string;
  subject: string;
  extra?: Record<string, string>;
}): SafeHeaders {
  const extra: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.extra ?? {})) {
    if (!HEADER_NAME.test(name)) throw new Error('Refusing to send: a header name is not a plain token.');
    extra[name] = headerText(value);
  }
  return {
    from: parseMailbox(input.from),
    to: checkedAddress(input.to.trim()),
    subject: headerText(input.subject),
    extra,
  };
}

// --- Raw MIME (SMTP): worker-mailer writes header values as given, so they are built here. ---

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** Bytes of UTF-8 per encoded-word: 42 bytes are 56 base64 characters, a 68-column word, so "Subject: " fits. */
const BYTES_PER_WORD = 42;

/** RFC 2047 "B" encoded-words, split between code points, folded onto continuation lines. */
export function encodedWords(text: string): string {
  const encoder = new TextEncoder();
  const words: string[] = [];
  let chunk: number[] = [];
  const flush = () => {
    if (chunk.length === 0) return;
    words.push(`=?UTF-8?B?${btoa(String.fromCharCode(...chunk))}?=`);
    chunk = [];
  };
  for (const ch of text) {
    const bytes = encoder.encode(ch);
    if (chunk.length + bytes.length > BYTES_PER_WORD) flush();
    chunk.push(...bytes);
  }
  flush();
  return words.join('\r\n ');
}

/**
 * A Subject value for raw MIME. Short printable ASCII goes as it is; anything else (non-ASCII, something a
 * reader could take for an encoded-word, a line too long to send unfolded) as encoded-words, so the header's
 * content never depends on how a mail program treats odd text.
 */
export function mimeSubject(subject: string): string {
  const text = headerText(subject);
  const plain = PRINTABLE_ASCII.test(text) && !text.includes('=?') && `Subject: ${text}`.length <= 78;
  return plain ? text : encodedWords(text);
}

/** Words of atext (RFC 5322 §3.2.3) need no quotes; anything else (`,` `<` `"` `@` …) is a quoted-string. */
const ATOMS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?: [A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const quoted = (name: string) => (ATOMS.test(name) ? name : `"${name.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`);

/**
 * A mailbox for JSON APIs that build the MIME themselves (Resend): the display name as a quoted-string, UTF-8
 * as it is (RFC 6532), never folded.
 */
export function quotedMailbox(mailbox: Mailbox): string {
  const email = checkedAddress(mailbox.email);
  const name = mailbox.name ? headerText(mailbox.name) : '';
  return name ? `${quoted(name)} <${email}>` : email;
}

/** A mailbox for raw MIME: an ASCII display name as an RFC 5322 quoted-string, any other as encoded-words. */
export function mimeMailbox(mailbox: Mailbox): string {
  const email = checkedAddress(mailbox.email);
  const name = mailbox.name ? headerText(mailbox.name) : '';
  if (!name) return email;
  const phrase = PRINTABLE_ASCII.test(name) && !name.includes('=?') ? quoted(name) : encodedWords(name);
  return `${phrase} <${email}>`;
}
