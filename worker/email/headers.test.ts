import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { checkedAddress, mimeMailbox, mimeSubject, quotedMailbox, safeHeaders } from './headers.ts';

const hostile = 'Ann\r\nBcc: victim@example.test\r\nReply-To: evil@example.test\r\n\r\n<h1>owned</h1>';

/** Parses a minimal message with the given header lines, as a mail program would. */
async function parse(headerLines: string[]) {
  const raw = [...headerLines, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', 'body', ''].join(
    '\r\n',
  );
  return PostalMime.parse(raw);
}

describe('header values', () => {
  it('flatten CR, LF and every other control into one line', () => {
    const h = safeHeaders({ from: 'Slotcast <no-reply@slotcast.test>', to: 'ann@example.test', subject: hostile });
    expect(h.subject).toBe('Ann Bcc: victim@example.test Reply-To: evil@example.test <h1>owned</h1>');
    expect(h.subject).not.toMatch(/[\r\n]/);
  });

  it('refuse a recipient that is not one plain address', () => {
    for (const bad of [
      'a@example.test\r\nRCPT TO:<b@example.test>',
      'a@example.test, b@example.test',
      '<a@x.test>',
      'a b@x.test',
    ])
      expect(() => checkedAddress(bad)).toThrow(/not a single plain email address/);
    expect(checkedAddress('first.last+tag@mail.example.test')).toBe('first.last+tag@mail.example.test');
  });

  it('refuse a custom header name that is not a token, and flatten its value', () => {
    expect(() => safeHeaders({ from: 'a@x.test', to: 'b@x.test', subject: 's', extra: { 'X-A\r\nBcc': 'v' } })).toThrow(
      /header name/,
    );
    expect(
      safeHeaders({ from: 'a@x.test', to: 'b@x.test', subject: 's', extra: { 'X-Id': 'a\r\nBcc: c' } }).extra,
    ).toEqual({ 'X-Id': 'a Bcc: c' });
  });

  it('cut very long text at 250 characters', () => {
    expect([...safeHeaders({ from: 'a@x.test', to: 'b@x.test', subject: 'é'.repeat(400) }).subject]).toHaveLength(250);
  });
});

describe('raw MIME headers (SMTP)', () => {
  it('leave a short plain subject as it is and encode anything else, which reads back as the same text', async () => {
    expect(mimeSubject('Your Slotcast sign-in link')).toBe('Your Slotcast sign-in link');
    for (const subject of [
      'Booked: Geometrie mit Zoë, Montag 9. März',
      'Looks =?UTF-8?B?ZXZpbA==?= encoded',
      'x'.repeat(200),
    ]) {
      const value = mimeSubject(subject);
      expect(value).toMatch(/^=\?UTF-8\?B\?/);
      for (const line of `Subject: ${value}`.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
      expect((await parse([`Subject: ${value}`])).subject).toBe(subject);
    }
  });

  it('make a hostile subject one header that reads back as inert text', async () => {
    const email = await parse(['From: a@x.test', 'To: b@x.test', `Subject: ${mimeSubject(hostile)}`]);
    expect(email.subject).toBe('Ann Bcc: victim@example.test Reply-To: evil@example.test <h1>owned</h1>');
    expect(email.headers.map((h) => h.key)).not.toContain('bcc');
    expect(email.headers.map((h) => h.key)).not.toContain('reply-to');
    expect(email.text?.trim()).toBe('body');
  });

  it('quote ASCII display names per RFC 5322 and encode others', async () => {
    expect(mimeMailbox({ name: 'Ms "Bo" \\ Smith', email: 'bo@x.test' })).toBe('"Ms \\"Bo\\" \\\\ Smith" <bo@x.test>');
    expect(mimeMailbox({ name: 'Bo, <evil@x.test>', email: 'bo@x.test' })).toBe('"Bo, <evil@x.test>" <bo@x.test>');
    const from = await parse([
      `From: ${mimeMailbox({ name: 'Zoë Ødegaard\r\nBcc: v@x.test', email: 'zoe@x.test' })}`,
      'To: b@x.test',
    ]);
    expect(from.from).toMatchObject({ name: 'Zoë Ødegaard Bcc: v@x.test', address: 'zoe@x.test' });
    expect(quotedMailbox({ name: 'Zoë "Z"', email: 'zoe@x.test' })).toBe('"Zoë \\"Z\\"" <zoe@x.test>');
  });
});

describe('display names', () => {
  it('leave plain words unquoted', () => {
    expect(mimeMailbox({ name: 'Slotcast', email: 'no-reply@x.test' })).toBe('Slotcast <no-reply@x.test>');
    expect(quotedMailbox({ name: 'Ada Teacher', email: 'a@x.test' })).toBe('Ada Teacher <a@x.test>');
  });
});
