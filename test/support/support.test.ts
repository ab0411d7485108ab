import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testClient } from './client.ts';
import { extractLinks, linkContaining } from './mailbox.ts';
import { startResendStandIn, type ResendStandIn } from './resend-stand-in.ts';

describe('extractLinks', () => {
  it('finds links in the HTML and the text, decoded, in order and once each', () => {
    const email = {
      html: '<p><a href="https://app.test/login/verify#token=abc&amp;x=1">Sign in</a> <a href=\'mailto:help@app.test\'>help</a> <a href="https://app.test/student">dashboard</a></p>',
      text: 'Sign in: https://app.test/login/verify#token=abc&x=1\nOr open https://app.test/student.\n(See https://app.test/help)',
    };
    expect(extractLinks(email)).toEqual([
      'https://app.test/login/verify#token=abc&x=1',
      'https://app.test/student',
      'https://app.test/help',
    ]);
    expect(linkContaining(email, '/login/verify')).toBe('https://app.test/login/verify#token=abc&x=1');
    expect(() => linkContaining(email, '/nowhere')).toThrow(/no link containing \/nowhere/);
  });
});

describe('testClient', () => {
  let server: Server;
  let baseUrl: string;
  const seen: { method: string; origin?: string; cookie?: string; type?: string; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        seen.push({
          method: req.method!,
          origin: req.headers.origin,
          cookie: req.headers.cookie,
          type: req.headers['content-type'],
          body,
        });
        if (req.url === '/login')
          res.setHeader('set-cookie', ['session=abc; Path=/; HttpOnly; SameSite=Lax', 'theme=dark; Path=/']);
        if (req.url === '/logout') res.setHeader('set-cookie', 'session=; Path=/; Max-Age=0');
        if (req.url === '/moved') {
          res.writeHead(303, { location: '/elsewhere' });
          return res.end();
        }
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ ok: true }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('keeps cookies, sends Origin only on state-changing requests, and forgets deleted cookies', async () => {
    const client = testClient({ baseUrl });
    await client.post('/login', { email: 'a@b.test' });
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      origin: baseUrl,
      type: 'application/json',
      body: '{"email":"a@b.test"}',
    });
    const me = await client.get('/me');
    expect(me.body).toEqual({ ok: true });
    expect(seen.at(-1)).toMatchObject({ method: 'GET', origin: undefined, cookie: 'session=abc; theme=dark' });
    await client.post('/logout');
    await client.get('/me');
    expect(seen.at(-1)!.cookie).toBe('theme=dark');
  });

  it('does not follow redirects, and can leave Origin out', async () => {
    const client = testClient({ baseUrl, origin: null });
    const moved = await client.post('/moved');
    expect(moved.status).toBe(303);
    expect(moved.headers.get('location')).toBe('/elsewhere');
    expect(seen.at(-1)!.origin).toBeUndefined();
  });
});

describe('the Resend stand-in', () => {
  let resend: ResendStandIn;
  const send = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${resend.url}/emails`, {
      method: 'POST',
      headers: { authorization: 'Bearer re_key', 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const email = {
    from: 'App <a@app.test>',
    to: ['b@app.test'],
    subject: 'Hi',
    text: 'Hello',
    attachments: [{ filename: 'a.ics', content: 'QkVHSU4=', content_type: 'text/calendar' }],
  };

  beforeAll(async () => {
    resend = await startResendStandIn({ apiKey: 're_key' });
  });
  afterAll(() => resend.close());

  it('refuses a missing or wrong key and an email it could not send', async () => {
    expect((await send(email, { authorization: '' })).status).toBe(401);
    expect((await send(email, { authorization: 'Bearer nope' })).status).toBe(403);
    expect((await send({ ...email, subject: '' })).status).toBe(422);
    expect((await send({ ...email, attachments: [{ filename: 'a.ics', content: 'not base64!' }] })).status).toBe(422);
    expect(resend.emails).toHaveLength(0);
  });

  it('answers a repeated idempotency key with the same id and sends once; another body with it is a 409', async () => {
    const first = await send(email, { 'idempotency-key': 'row-1' });
    const again = await send(email, { 'idempotency-key': 'row-1' });
    expect(first.status).toBe(200);
    expect(await again.json()).toEqual(await first.json());
    expect(resend.emailsTo('b@app.test')).toHaveLength(1);
    expect((await send({ ...email, text: 'Changed' }, { 'idempotency-key': 'row-1' })).status).toBe(409);
    expect(resend.emailsTo('b@app.test')).toHaveLength(1);
  });

  it('fails on request, and can send but lose the answer', async () => {
    resend.failNext(429, 1, { retryAfterSeconds: 2, to: 'c@app.test' });
    const limited = await send({ ...email, to: 'c@app.test' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    resend.dropAnswerNext(1);
    await expect(send({ ...email, to: 'c@app.test' })).rejects.toThrow();
    expect(resend.emailsTo('c@app.test')).toHaveLength(1);
    expect(resend.requestsTo('c@app.test').map((r) => r.answer)).toEqual([429, 'dropped']);
  });
});
