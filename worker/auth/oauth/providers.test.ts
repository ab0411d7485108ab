/**
 * The Google, Microsoft and GitHub presets can't be reached from here, so their wiring is checked without the
 * network: the URL the browser is sent to (endpoint, client, callback, scopes, PKCE, state, nonce), and for
 * Microsoft's multi-tenant endpoints, that a token from the user's own tenant passes oauth4webapi's issuer check.
 */
import { createHash } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../env.ts';
import { authorizationUrl, newFlow } from './flow.ts';
import { callbackUrl, configuredProviders, findProvider, microsoftServer, microsoftVouches } from './providers.ts';

const APP_URL = 'https://slotcast.example.com';
const base = { APP_URL, DATABASE_URL: 'https://db.example.com', SECRET_KEY: 'k'.repeat(43) };
const env = (vars: Record<string, string>) => ({ ...base, ...vars }) as unknown as Env;
const all = env({
  OAUTH_GOOGLE_CLIENT_ID: 'google-id',
  OAUTH_GOOGLE_CLIENT_SECRET: 'google-secret',
  OAUTH_MICROSOFT_CLIENT_ID: 'ms-id',
  OAUTH_MICROSOFT_CLIENT_SECRET: 'ms-secret',
  OAUTH_MICROSOFT_TENANT: 'contoso.onmicrosoft.com',
  OAUTH_GITHUB_CLIENT_ID: 'gh-id',
  OAUTH_GITHUB_CLIENT_SECRET: 'gh-secret',
});

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

async function startOf(id: 'google' | 'microsoft' | 'github') {
  const provider = findProvider(all, id)!;
  const flow = newFlow(provider, null, 0);
  const url = await authorizationUrl(provider, await provider.server(), flow, callbackUrl(APP_URL, id));
  return { url, flow, params: Object.fromEntries(url.searchParams) };
}

describe('which sign-in providers are offered', () => {
  it('offers only the configured ones, in a fixed order', () => {
    expect(configuredProviders(env({})).map((p) => p.id)).toEqual([]);
    expect(configuredProviders(all).map((p) => [p.id, p.label])).toEqual([
      ['google', 'Google'],
      ['microsoft', 'Microsoft'],
      ['github', 'GitHub'],
    ]);
  });

  it('refuses to start with a client id but no secret, naming what to set', () => {
    expect(() => configuredProviders(env({ OAUTH_GITHUB_CLIENT_ID: 'x' }))).toThrow(
      /OAUTH_GITHUB_CLIENT_SECRET must be set/,
    );
    expect(() => configuredProviders(env({ OIDC_CLIENT_ID: 'x', OIDC_CLIENT_SECRET: 'y' }))).toThrow(/OIDC_ISSUER/);
  });

  it('accepts a school issuer over https, and over http only on this machine', () => {
    const school = (issuer: string) => env({ OIDC_ISSUER: issuer, OIDC_CLIENT_ID: 'c', OIDC_CLIENT_SECRET: 's' });
    expect(findProvider(school('https://idp.school.example'), 'school')).toMatchObject({ insecure: false });
    expect(findProvider(school('http://127.0.0.1:9000'), 'school')).toMatchObject({ insecure: true });
    expect(() => configuredProviders(school('http://idp.school.example'))).toThrow(/https/);
  });
});

describe('where each preset sends the browser', () => {
  it('Google: its endpoint, OpenID scopes, PKCE S256, state and nonce, our callback', async () => {
    const { url, flow, params } = await startOf('google');
    expect(url.origin + url.pathname).toBe('https://accounts.google.com/o/oauth2/v2/auth');
    expect(params).toEqual({
      response_type: 'code',
      client_id: 'google-id',
      redirect_uri: 'https://slotcast.example.com/api/auth/oauth/google/callback',
      scope: 'openid email profile',
      state: flow.state,
      code_challenge: s256(flow.verifier),
      code_challenge_method: 'S256',
      nonce: flow.nonce,
      prompt: 'select_account',
    });
    expect(flow.nonce).toMatch(/^[\w-]{43}$/);
  });

  it('Microsoft: the tenant’s endpoints, OpenID scopes, PKCE, nonce', async () => {
    const { url, flow, params } = await startOf('microsoft');
    expect(url.origin + url.pathname).toBe(
      'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize',
    );
    expect(params).toMatchObject({
      client_id: 'ms-id',
      redirect_uri: 'https://slotcast.example.com/api/auth/oauth/microsoft/callback',
      scope: 'openid email profile',
      code_challenge: s256(flow.verifier),
      code_challenge_method: 'S256',
      nonce: flow.nonce,
    });
    const server = microsoftServer('contoso.onmicrosoft.com');
    expect(server.token_endpoint).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token');
    expect(server.issuer).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0');
  });

  it('GitHub: its endpoint, the email scope, PKCE, and no nonce (not OpenID Connect)', async () => {
    const { url, flow, params } = await startOf('github');
    expect(url.origin + url.pathname).toBe('https://github.com/login/oauth/authorize');
    expect(params).toEqual({
      response_type: 'code',
      client_id: 'gh-id',
      redirect_uri: 'https://slotcast.example.com/api/auth/oauth/github/callback',
      scope: 'read:user user:email',
      state: flow.state,
      code_challenge: s256(flow.verifier),
      code_challenge_method: 'S256',
    });
    expect(flow.nonce).toBeNull();
  });

  it('uses a fresh state, verifier and nonce for every sign-in', () => {
    const provider = findProvider(all, 'google')!;
    const [a, b] = [newFlow(provider, null, 0), newFlow(provider, null, 0)];
    expect(a.state).not.toBe(b.state);
    expect(a.verifier).not.toBe(b.verifier);
    expect(a.nonce).not.toBe(b.nonce);
  });
});

describe('Microsoft across tenants', () => {
  const tokenAnswer = async (claims: Record<string, unknown>) => {
    const { privateKey } = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    const idToken = await new SignJWT({ aud: 'ms-id', sub: 'u1', nonce: 'n', iat: now, exp: now + 600, ...claims })
      .setProtectedHeader({ alg: 'RS256' })
      .sign(privateKey);
    return new Response(JSON.stringify({ access_token: 'a', token_type: 'bearer', id_token: idToken }), {
      headers: { 'content-type': 'application/json' },
    });
  };
  const process = async (claims: Record<string, unknown>) =>
    oauth.processAuthorizationCodeResponse(
      microsoftServer('organizations'),
      { client_id: 'ms-id' },
      await tokenAnswer(claims),
      { expectedNonce: 'n', requireIdToken: true },
    );

  it('expects the issuer of the tenant the token names', async () => {
    const tid = '9188040d-6c67-4c5b-b112-36a304b66dad';
    await expect(process({ tid, iss: `https://login.microsoftonline.com/${tid}/v2.0` })).resolves.toBeDefined();
    await expect(process({ tid, iss: 'https://login.microsoftonline.com/another/v2.0' })).rejects.toThrow(/iss/);
  });

  it('trusts the email across tenants only when the tenant vouches for its domain (xms_edov)', () => {
    expect(microsoftVouches('organizations')({ email: 'a@b.test' })).toBe(false);
    expect(microsoftVouches('organizations')({ email: 'a@b.test', xms_edov: true })).toBe(true);
    expect(microsoftVouches('contoso.onmicrosoft.com')({ email: 'a@b.test' })).toBe(true);
  });
});
