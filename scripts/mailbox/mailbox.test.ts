import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMailbox, type Mailbox, type StoredEmail } from './index.ts';

/** One SMTP reply: its code and text (the lines of a multi-line reply joined). */
interface SmtpReply {
  code: number;
  text: string;
}

/** A deliberately small SMTP client: the dialogue is the thing under test, so no library hides it. */
async function smtpSession(port: number) {
  const socket = connect({ host: '127.0.0.1', port });
  socket.setEncoding('utf8');
  let buffer = '';
  let lines: string[] = [];
  const waiting: ((reply: SmtpReply) => void)[] = [];
  const replies: SmtpReply[] = [];
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      lines.push(line.slice(4));
      // "250-..." continues a reply, "250 ..." ends it.
      if (line[3] !== '-') {
        const reply = { code: Number(line.slice(0, 3)), text: lines.join('\n') };
        lines = [];
        const waiter = waiting.shift();
        if (waiter) waiter(reply);
        else replies.push(reply);
      }
    }
  });
  const reply = () =>
    new Promise<SmtpReply>((resolve, reject) => {
      const ready = replies.shift();
      if (ready) return resolve(ready);
      waiting.push(resolve);
      socket.once('error', reject);
    });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const greeting = await reply();
  return {
    greeting,
    socket,
    command(line: string): Promise<SmtpReply> {
      socket.write(`${line}\r\n`);
      return reply();
    },
    /** Sends the message after DATA, dot-stuffed, and returns the reply to the final dot. */
    data(message: string): Promise<SmtpReply> {
      const body = message.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
      socket.write(`${body}\r\n.\r\n`);
      return reply();
    },
    close() {
      socket.end();
    },
  };
}

/** A whole transaction; returns the first reply that was not a success, or the final one. */
async function sendMail(port: number, options: { from?: string; to: string[]; message: string }): Promise<SmtpReply> {
  const session = await smtpSession(port);
  try {
    const steps = [
      `EHLO test.local`,
      `MAIL FROM:<${options.from ?? 'app@slotcast.test'}>`,
      ...options.to.map((to) => `RCPT TO:<${to}>`),
      'DATA',
    ];
    for (const step of steps) {
      const reply = await session.command(step);
      if (reply.code >= 400) return reply;
    }
    const reply = await session.data(options.message);
    await session.command('QUIT');
    return reply;
  } finally {
    session.close();
  }
}

function plainMessage(to: string, subject: string, text = 'Hello there.\n.A line that starts with a dot.'): string {
  return [
    `From: Slotcast <no-reply@slotcast.test>`,
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: <${subject.replace(/\W/g, '')}@slotcast.test>`,
    '',
    text,
  ].join('\n');
}

/** Bytes that any text conversion would change. */
const ATTACHMENT = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x0a, 0x0d, 0x80]);

function richMessage(to: string, subject: string): string {
  return [
    'From: "Slotcast" <no-reply@slotcast.test>',
    `To: "Ada" <${to}>`,
    'Cc: other@example.test',
    `Subject: ${subject}`,
    'Message-ID: <rich-1@slotcast.test>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="outer"',
    '',
    '--outer',
    'Content-Type: multipart/alternative; boundary="inner"',
    '',
    '--inner',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Open https://app.example.test/login/verify#token=abc to sign in.',
    '--inner',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<html><head></head><body><p>Open <a href="https://app.example.test/login/verify#token=abc">this link</a>.</p><script>alert(1)</script></body></html>',
    '--inner--',
    '--outer',
    'Content-Type: application/pdf; name="lesson.pdf"',
    'Content-Disposition: attachment; filename="lesson.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    ATTACHMENT.toString('base64'),
    '--outer--',
  ].join('\n');
}

let dataDir: string;
let mailbox: Mailbox;
const api = (path: string, init?: RequestInit) => fetch(mailbox.url + path, init);
const messagesTo = async (to: string) =>
  (await (await api(`/api/messages?to=${encodeURIComponent(to)}`)).json()) as StoredEmail[];
const fault = (body: unknown) => api('/api/faults', { method: 'POST', body: JSON.stringify(body) });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'slotcast-mailbox-'));
  mailbox = await startMailbox({ dataDir, smtpPort: 0, httpPort: 0 });
});
afterEach(async () => {
  await fault({ mode: 'reset' });
});
afterAll(async () => {
  await mailbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the dev mailbox', () => {
  it('accepts a message without authentication and lists it in the JSON API', async () => {
    const reply = await sendMail(mailbox.smtpPort, {
      to: ['Student@Example.test'],
      message: plainMessage('Student@Example.test', 'Your lesson'),
    });
    expect(reply.code).toBe(250);
    const [email] = await messagesTo('student@example.test');
    expect(email).toMatchObject({
      subject: 'Your lesson',
      from: 'no-reply@slotcast.test',
      to: ['student@example.test'],
      envelope: { from: 'app@slotcast.test', to: ['student@example.test'] },
      messageId: '<Yourlesson@slotcast.test>',
    });
    expect(email!.text).toContain('.A line that starts with a dot.');
    expect(email!.headers).toContainEqual({ key: 'Subject', value: 'Your lesson' });
    expect(typeof email!.receivedAt).toBe('number');
  });

  it('lists messages to an address newest first, and only theirs', async () => {
    for (const subject of ['First', 'Second', 'Third']) {
      await sendMail(mailbox.smtpPort, {
        to: ['order@example.test'],
        message: plainMessage('order@example.test', subject),
      });
    }
    await sendMail(mailbox.smtpPort, {
      to: ['someone-else@example.test'],
      message: plainMessage('someone-else@example.test', 'Not yours'),
    });
    expect((await messagesTo('order@example.test')).map((m) => m.subject)).toEqual(['Third', 'Second', 'First']);
    const all = (await (await api('/api/messages')).json()) as StoredEmail[];
    expect(all[0]!.subject).toBe('Not yours');
  });

  it('keeps HTML, the text part and attachments, and serves them', async () => {
    await sendMail(mailbox.smtpPort, {
      to: ['rich@example.test'],
      message: richMessage('rich@example.test', 'Sign in to Slotcast'),
    });
    const [listed] = await messagesTo('rich@example.test');
    const email = (await (await api(`/api/messages/${listed!.id}`)).json()) as StoredEmail;
    expect(email.cc).toEqual(['other@example.test']);
    expect(email.text).toContain('https://app.example.test/login/verify#token=abc');
    expect(email.html).toContain('<a href="https://app.example.test/login/verify#token=abc">');
    expect(email.attachments).toEqual([
      expect.objectContaining({
        filename: 'lesson.pdf',
        contentType: 'application/pdf',
        disposition: 'attachment',
        size: ATTACHMENT.length,
      }),
    ]);

    const page = await api(`/messages/${email.id}`);
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain('<iframe');
    expect(body).toMatch(/<iframe[^>]*sandbox="[^"]*"/);
    expect(/<iframe[^>]*sandbox="([^"]*)"/.exec(body)![1]).not.toContain('allow-scripts');
    expect(body).toMatch(/<pre>Open https:\/\/app\.example\.test\/login\/verify#token=abc to sign in\.\s*<\/pre>/);
    expect(body).toContain(`href="/messages/${email.id}/attachments/0"`);

    const frame = await api(`/messages/${email.id}/html`);
    const csp = frame.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/sandbox(?! [^;]*allow-scripts)/);
    expect(await frame.text()).toContain('<base target="_blank">');

    const attachment = await api(`/messages/${email.id}/attachments/0`);
    expect(attachment.headers.get('content-type')).toBe('application/pdf');
    expect(attachment.headers.get('content-disposition')).toMatch(/^attachment; filename="lesson.pdf"/);
    expect(Buffer.from(await attachment.arrayBuffer())).toEqual(ATTACHMENT);
  });

  it('shows received emails on its page, with subjects escaped', async () => {
    await sendMail(mailbox.smtpPort, {
      to: ['page@example.test'],
      message: plainMessage('page@example.test', '<b>Booked</b> & confirmed'),
    });
    const page = await api('/');
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const body = await page.text();
    expect(body).toContain('&lt;b&gt;Booked&lt;/b&gt; &amp; confirmed');
    expect(body).toContain('To page@example.test');
    expect(body).toMatch(/<html lang="en">/);
    expect(body).toContain('name="viewport"');
  });

  it('answers 451 to the next N transactions when asked to reject, then accepts again', async () => {
    const set = await fault({ mode: 'reject', count: 2 });
    expect(await set.json()).toMatchObject({ reject: { remaining: 2, code: 451, at: 'data' } });
    const message = plainMessage('retry@example.test', 'Retry me');
    const first = await sendMail(mailbox.smtpPort, { to: ['retry@example.test'], message });
    const second = await sendMail(mailbox.smtpPort, { to: ['retry@example.test'], message });
    const third = await sendMail(mailbox.smtpPort, { to: ['retry@example.test'], message });
    expect([first.code, second.code, third.code]).toEqual([451, 451, 250]);
    expect(first.text).toMatch(/try again/i);
    expect(await messagesTo('retry@example.test')).toHaveLength(1);
  });

  it('can reject at MAIL FROM with a permanent code', async () => {
    await fault({ mode: 'reject', count: 1, code: 550, at: 'mail' });
    const reply = await sendMail(mailbox.smtpPort, {
      to: ['permanent@example.test'],
      message: plainMessage('permanent@example.test', 'Never'),
    });
    expect(reply.code).toBe(550);
    expect(await messagesTo('permanent@example.test')).toHaveLength(0);
  });

  it('hangs up without a reply at RCPT TO for the chosen address, once', async () => {
    await fault({ mode: 'hangup', count: 1, to: 'dropped@example.test' });
    const session = await smtpSession(mailbox.smtpPort);
    await session.command('EHLO test');
    await session.command('MAIL FROM:<app@example.test>');
    const closed = new Promise<void>((resolve) => session.socket.once('close', () => resolve()));
    session.socket.write('RCPT TO:<dropped@example.test>\r\n');
    await closed;
    const reply = await sendMail(mailbox.smtpPort, {
      to: ['dropped@example.test'],
      message: plainMessage('dropped@example.test', 'Second try'),
    });
    expect(reply.code).toBe(250);
    expect(await messagesTo('dropped@example.test')).toHaveLength(1);
  });

  it('refuses connections while down and accepts them again on the same port when up', async () => {
    expect((await fault({ mode: 'down' })).status).toBe(200);
    await expect(smtpSession(mailbox.smtpPort)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await (await api('/api/faults')).json()).toMatchObject({ down: true });
    await fault({ mode: 'up' });
    const reply = await sendMail(mailbox.smtpPort, {
      to: ['back@example.test'],
      message: plainMessage('back@example.test', 'Back up'),
    });
    expect(reply.code).toBe(250);
  });

  it('refuses a malformed fault request with 400', async () => {
    expect((await fault({ mode: 'explode' })).status).toBe(400);
    expect((await fault({ mode: 'reject', count: -1 })).status).toBe(400);
    expect((await api('/api/faults', { method: 'POST', body: 'not json' })).status).toBe(400);
  });

  it('keeps emails across a restart, and clears them on request', async () => {
    await sendMail(mailbox.smtpPort, {
      to: ['kept@example.test'],
      message: plainMessage('kept@example.test', 'Still here'),
    });
    const before = (await (await api('/api/messages')).json()) as StoredEmail[];
    await mailbox.close();
    mailbox = await startMailbox({ dataDir, smtpPort: 0, httpPort: 0 });
    const after = (await (await api('/api/messages')).json()) as StoredEmail[];
    expect(after.map((m) => m.id)).toEqual(before.map((m) => m.id));

    expect((await api('/api/messages', { method: 'DELETE' })).status).toBe(200);
    expect(await (await api('/api/messages')).json()).toEqual([]);
    expect(await (await api('/')).text()).toContain('No emails yet');
  });

  it('refuses a state change from another origin', async () => {
    const response = await api('/clear', { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(response.status).toBe(403);
  });
});
