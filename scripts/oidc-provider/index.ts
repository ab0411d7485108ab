/**
 * A real OpenID Connect provider (the `oidc-provider` package) playing a school's identity provider, for
 * `npm run dev` (the demo school) and for the tests. Its login page asks only for an email address: anyone can
 * sign in as any address, and may untick "verified" to get `email_verified: false`. It listens on 127.0.0.1.
 *
 * With `testControls`, `POST /__test/...` lets a test break it on purpose: answer nothing at all (a provider
 * that is down), or spoil the next token answer for one account (an ID token signed with a key the provider
 * never published, for another audience, with another nonce, already expired; or a code that expires in a
 * second). The tokens themselves stay the provider's own work; only the fault is ours.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import Provider from 'oidc-provider';
import { loginPage, errorPage } from './pages.ts';

export type Fault = 'bad-signature' | 'wrong-audience' | 'wrong-nonce' | 'expired-id-token' | 'short-lived-code';

export interface SchoolProviderOptions {
  /** Default: a free port. */
  port?: number;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** Shown on the login page. */
  name?: string;
  /** Enables POST /__test/down and /__test/fault. Never for `npm run dev`. */
  testControls?: boolean;
}

export interface SchoolProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

interface Account {
  verified: boolean;
}

export async function startSchoolProvider(options: SchoolProviderOptions): Promise<SchoolProvider> {
  const accounts = new Map<string, Account>();
  const faults = new Map<string, Fault>();
  let down = false;
  const name = options.name ?? 'Demo School';

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingJwk: JWK = { ...(await exportJWK(privateKey)), kid: 'school-1', alg: 'RS256', use: 'sig' };
  // A key of the right shape and kid that the provider never publishes: a forged signature.
  const rogue = await generateKeyPair('RS256');

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const issuer = `http://127.0.0.1:${port}`;

  const takeFault = (sub: string, fault: Fault) => {
    if (faults.get(sub) !== fault) return false;
    faults.delete(sub);
    return true;
  };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [signingJwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      AccessToken: 600,
      IdToken: 600,
      AuthorizationCode: (_ctx, token) => (takeFault(String(token.accountId), 'short-lived-code') ? 1 : 60),
    },
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: () => ({ sub: id, email: id, email_verified: account.verified, name: id.split('@')[0] }),
      };
    },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = errorPage(name, String(out.error_description ?? out.error));
    },
  });
  provider.on('server_error', (_ctx, error) => console.error(`[${name}] ${error.message}`));

  // Spoils the ID token of a token answer when a test asked for it (testControls only).
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== '/token' || ctx.status !== 200 || faults.size === 0) return;
    const body = ctx.body as { id_token?: string };
    if (!body?.id_token) return;
    const claims = decodeJwt(body.id_token);
    const sub = String(claims.sub);
    const fault = faults.get(sub);
    if (!fault || fault === 'short-lived-code') return;
    faults.delete(sub);
    const { kid, alg } = decodeProtectedHeader(body.id_token);
    const changed = { ...claims };
    if (fault === 'wrong-audience') changed.aud = 'someone-else';
    if (fault === 'wrong-nonce') changed.nonce = 'not-the-nonce-you-sent';
    if (fault === 'expired-id-token') Object.assign(changed, { iat: claims.iat! - 7200, exp: claims.iat! - 3600 });
    const key = fault === 'bad-signature' ? rogue.privateKey : await importJWK(signingJwk, 'RS256');
    ctx.body = { ...body, id_token: await new SignJWT(changed).setProtectedHeader({ alg: alg!, kid }).sign(key) };
  });

  const callback = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer);
    if (options.testControls && url.pathname.startsWith('/__test/')) {
      void testControl(req, res, url.pathname);
      return;
    }
    // Down: the connection is dropped without an answer, as a provider that is unreachable would.
    if (down) return void req.socket.destroy();
    if (url.pathname.startsWith('/interaction/')) {
      void interaction(req, res, url.pathname.split('/')[2] ?? '').catch((error: Error) => {
        res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
        res.end(errorPage(name, error.message));
      });
      return;
    }
    void callback(req, res);
  });

  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('This sign-in has expired. Go back to Slotcast and start again.');
    if (details.prompt.name === 'login') {
      if (req.method !== 'POST') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(loginPage(name, uid));
        return;
      }
      const form = new URLSearchParams(await readBody(req));
      const email = (form.get('email') ?? '').trim().toLowerCase();
      if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new Error('Enter an email address.');
      accounts.set(email, { verified: form.get('verified') === 'on' });
      await provider.interactionFinished(req, res, { login: { accountId: email } }, { mergeWithLastSubmission: false });
      return;
    }
    // Consent: the school's own app needs none; grant what was asked.
    const { accountId } = details.session!;
    const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  async function testControl(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const body = JSON.parse((await readBody(req)) || '{}') as { down?: boolean; sub?: string; fault?: Fault };
    if (path === '/__test/down') down = body.down === true;
    else if (path === '/__test/fault' && body.sub && body.fault) faults.set(body.sub.toLowerCase(), body.fault);
    else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(204).end();
  }

  return {
    issuer,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 10_000) req.destroy(new Error('Too much data.'));
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}
