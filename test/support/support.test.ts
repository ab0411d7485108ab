import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient } from './http.ts';
import { extractLinks, linkContaining } from './mailbox.ts';

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

describe('httpClient', () => {
  let server: Server;
  let baseUrl: string;
  const seen: { method: string; origin?: string; cookie?: string; type?: string; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        seen.push({ method: req.method!, origin: req.headers.origin, cookie: req.headers.cookie, type: req.headers['content-type'], body });
        if (req.url === '/login') res.setHeader('set-cookie', ['session=abc; Path=/; HttpOnly; SameSite=Lax', 'theme=dark; Path=/']);
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
    const client = httpClient({ baseUrl });
    await client.post('/login', { email: 'a@b.test' });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', origin: baseUrl, type: 'application/json', body: '{"email":"a@b.test"}' });
    const me = await client.get('/me');
    expect(me.body).toEqual({ ok: true });
    expect(seen.at(-1)).toMatchObject({ method: 'GET', origin: undefined, cookie: 'session=abc; theme=dark' });
    await client.post('/logout');
    await client.get('/me');
    expect(seen.at(-1)!.cookie).toBe('theme=dark');
  });

  it('does not follow redirects, and can leave Origin out', async () => {
    const client = httpClient({ baseUrl, origin: null });
    const moved = await client.post('/moved');
    expect(moved.status).toBe(303);
    expect(moved.headers.get('location')).toBe('/elsewhere');
    expect(seen.at(-1)!.origin).toBeUndefined();
  });
});
