/**
 * worker-mailer 1.2.1 (the newest) reads SMTP replies in a loop that skips empty reads, and a socket the server
 * has closed returns `{ done: true }` at once, forever: a relay that hangs up mid-conversation (a restart, an
 * idle timeout) spins the isolate at full CPU, so the email's attempt never ends and, under `wrangler dev`, the
 * whole runtime stops answering. This replaces that one method with the same reading rules plus an error when
 * the connection is gone, so the attempt fails like any other and the outbox retries it.
 * Remove when worker-mailer fixes its read loop.
 */
import { WorkerMailer } from 'worker-mailer';

interface MailerInternals {
  reader: ReadableStreamDefaultReader<Uint8Array>;
  logger: { debug(message: string): void };
}

const decoder = new TextDecoder();

async function readReply(this: MailerInternals): Promise<string> {
  let response = '';
  for (;;) {
    const { value, done } = await this.reader.read();
    if (done) throw new Error('The SMTP server closed the connection');
    if (!value) continue;
    const chunk = decoder.decode(value);
    this.logger.debug(`SMTP server response:\n${chunk}`);
    response += chunk;
    if (!response.endsWith('\n')) continue;
    // A multi-line reply ("250-…" lines) ends with a line without the hyphen.
    const lines = response.split(/\r?\n/);
    if (!/^\d+-/.test(lines[lines.length - 2] ?? '')) return response;
  }
}

(WorkerMailer.prototype as unknown as { read: typeof readReply }).read = readReply;
