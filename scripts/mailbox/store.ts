/** Received emails as JSON files under a data dir, so the dev mailbox survives a restart. */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredEmail {
  id: string;
  receivedAt: number;
  envelope: { from: string; to: string[] };
  messageId: string | null;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  attachments: { filename: string; contentType: string; size: number; contentBase64: string }[];
}

export class MailStore {
  private readonly dir: string;
  private cache: StoredEmail[] | null = null;

  constructor(dir: string) {
    this.dir = dir;
  }

  async add(email: StoredEmail): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(join(this.dir, `${email.receivedAt}-${email.id}.json`), JSON.stringify(email));
    (await this.all()).unshift(email);
  }

  /** Newest first. */
  async all(): Promise<StoredEmail[]> {
    if (this.cache) return this.cache;
    await mkdir(this.dir, { recursive: true });
    const files = (await readdir(this.dir)).filter((f) => f.endsWith('.json')).sort().reverse();
    this.cache = await Promise.all(files.map(async (f) => JSON.parse(await readFile(join(this.dir, f), 'utf8')) as StoredEmail));
    return this.cache;
  }

  async find(id: string): Promise<StoredEmail | undefined> {
    return (await this.all()).find((m) => m.id === id);
  }

  async clear(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    this.cache = [];
  }
}
