/** Received emails as one JSON file each under a data dir, so the dev mailbox survives a restart. */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredAttachment {
  filename: string;
  contentType: string;
  /** `attachment` or `inline` (an image the HTML refers to by `cid:`). */
  disposition: string;
  contentId: string | null;
  size: number;
  contentBase64: string;
}

export interface StoredEmail {
  id: string;
  /** Epoch milliseconds. */
  receivedAt: number;
  /** What the client said in MAIL FROM and RCPT TO (lower-cased recipients): who the email was really sent to. */
  envelope: { from: string; to: string[] };
  messageId: string | null;
  from: string;
  /** Lower-cased addresses from the To header. */
  to: string[];
  cc: string[];
  subject: string;
  /** Every header in order, as sent (a key may repeat). */
  headers: { key: string; value: string }[];
  text: string;
  html: string;
  attachments: StoredAttachment[];
}

export class MailStore {
  private readonly dir: string;
  /** Newest first. */
  private readonly emails: StoredEmail[];

  /** Reads what an earlier run stored; later changes go through this object only. */
  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
    // File names carry the receive time and a counter: within one millisecond, name order is arrival order.
    this.emails = readdirSync(dir)
      .filter((file) => file.endsWith('.json'))
      .map((file) => ({
        file,
        email: normalise(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Partial<StoredEmail>),
      }))
      .sort((a, b) => b.email.receivedAt - a.email.receivedAt || (a.file < b.file ? 1 : -1))
      .map(({ email }) => email);
  }

  private counter = 0;

  async add(email: StoredEmail): Promise<void> {
    const name = `${String(email.receivedAt).padStart(15, '0')}-${String(this.counter++ % 1e6).padStart(6, '0')}-${email.id}.json`;
    mkdirSync(this.dir, { recursive: true });
    await writeFile(join(this.dir, name), JSON.stringify(email));
    this.emails.unshift(email);
  }

  /** Newest first. */
  all(): StoredEmail[] {
    return this.emails;
  }

  /** Newest first; `to` matches a To/Cc header address or an envelope recipient, ignoring case. */
  to(address: string): StoredEmail[] {
    const wanted = address.trim().toLowerCase();
    return this.emails.filter((m) => m.envelope.to.includes(wanted) || m.to.includes(wanted) || m.cc.includes(wanted));
  }

  find(id: string): StoredEmail | undefined {
    return this.emails.find((m) => m.id === id);
  }

  async clear(): Promise<void> {
    this.emails.length = 0;
    await rm(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
  }
}

/** Emails stored by an earlier version of the mailbox lack some fields. */
function normalise(email: Partial<StoredEmail>): StoredEmail {
  return {
    id: email.id ?? '',
    receivedAt: email.receivedAt ?? 0,
    envelope: email.envelope ?? { from: '', to: [] },
    messageId: email.messageId ?? null,
    from: email.from ?? '',
    to: email.to ?? [],
    cc: email.cc ?? [],
    subject: email.subject ?? '',
    headers: email.headers ?? [],
    text: email.text ?? '',
    html: email.html ?? '',
    attachments: (email.attachments ?? []).map((a) => ({
      ...a,
      disposition: a.disposition ?? 'attachment',
      contentId: a.contentId ?? null,
    })),
  };
}
