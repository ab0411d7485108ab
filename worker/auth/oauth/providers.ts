/**
 * The sign-in providers Slotcast knows: Google, Microsoft Entra ID and GitHub as presets (their endpoints are
 * fixed and written here, so their wiring is testable without the network), and a school's own OpenID Connect
 * provider, whose endpoints come from discovery at its issuer URL. A provider is offered only when configured.
 */
import * as oauth from 'oauth4webapi';
import { config, type Config, type Env } from '../../env.ts';
import { isLoopback } from '../../oauth-config.ts';

export const PROVIDER_IDS = ['google', 'microsoft', 'github', 'school'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export interface SignInProvider {
  id: ProviderId;
  /** The button says "Sign in with {label}". */
  label: string;
  /** OpenID Connect (an ID token, a nonce) or GitHub's plain OAuth 2.0 with its REST API for the email. */
  kind: 'oidc' | 'github';
  client: oauth.Client;
  clientSecret: string;
  scopes: string[];
  /** Plain http to the provider: only for a loopback issuer (the demo school). */
  insecure: boolean;
  /** The provider's endpoints: static for the presets, discovered for a school. */
  server(): Promise<oauth.AuthorizationServer>;
  /** Whether the verified claims vouch for the email address (default: `email_verified === true`). */
  emailVouched?(claims: Record<string, unknown>): boolean;
}

const EXPECTED_ISSUER = (oauth as unknown as { _expectedIssuer: symbol })._expectedIssuer;

/** Entra ID's tenant-independent endpoints sign tokens with the user's own tenant as issuer. */
const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);

export function microsoftServer(tenant: string): oauth.AuthorizationServer {
  const base = `https://login.microsoftonline.com/${encodeURIComponent(tenant)}`;
  const server: oauth.AuthorizationServer = {
    issuer: MULTI_TENANT.has(tenant) ? 'https://login.microsoftonline.com/{tenantid}/v2.0' : `${base}/v2.0`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
  };
  if (MULTI_TENANT.has(tenant)) {
    // oauth4webapi's own (exported, untyped) hook for exactly this case: the expected issuer is the token's
    // own tenant's. worker/auth/oauth/providers.test.ts fails if a later version drops it.
    (server as unknown as Record<symbol, unknown>)[EXPECTED_ISSUER] = (result: { claims: { tid?: unknown } }) =>
      `https://login.microsoftonline.com/${String(result.claims.tid)}/v2.0`;
  }
  return server;
}

/**
 * Entra ID sends no `email_verified`. Its `email` is the school's own record when the app is registered for one
 * tenant (the issuer check pins that tenant); across tenants, only the optional claim `xms_edov` (the email's
 * domain is verified by the tenant that issued it) vouches for it. README: how to add that optional claim.
 */
export function microsoftVouches(tenant: string) {
  return (claims: Record<string, unknown>) => claims.xms_edov === true || !MULTI_TENANT.has(tenant);
}

export const GOOGLE_SERVER: oauth.AuthorizationServer = {
  issuer: 'https://accounts.google.com',
  authorization_endpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
  token_endpoint: 'https://oauth2.googleapis.com/token',
  jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs',
  userinfo_endpoint: 'https://openidconnect.googleapis.com/v1/userinfo',
};

export const GITHUB_SERVER: oauth.AuthorizationServer = {
  issuer: 'https://github.com',
  authorization_endpoint: 'https://github.com/login/oauth/authorize',
  token_endpoint: 'https://github.com/login/oauth/access_token',
};

/** A school's discovery document, kept per isolate for ten minutes (it rarely changes). */
const discovered = new Map<string, { server: oauth.AuthorizationServer; at: number }>();
const DISCOVERY_TTL_MS = 10 * 60 * 1000;

async function discover(issuer: string, insecure: boolean): Promise<oauth.AuthorizationServer> {
  const cached = discovered.get(issuer);
  if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.server;
  const url = new URL(issuer);
  const response = await oauth.discoveryRequest(url, {
    algorithm: 'oidc',
    [oauth.allowInsecureRequests]: insecure,
    signal: AbortSignal.timeout(5_000),
  });
  const server = await oauth.processDiscoveryResponse(url, response);
  discovered.set(issuer, { server, at: Date.now() });
  return server;
}

const OIDC_SCOPES = ['openid', 'email', 'profile'];

/** The providers this deployment offers, in button order. */
export function configuredProviders(env: Env): SignInProvider[] {
  const c: Config = config(env);
  const providers: SignInProvider[] = [];
  const fixed = (server: oauth.AuthorizationServer) => () => Promise.resolve(server);
  if (c.OAUTH_GOOGLE_CLIENT_ID && c.OAUTH_GOOGLE_CLIENT_SECRET)
    providers.push({
      id: 'google',
      label: 'Google',
      kind: 'oidc',
      client: { client_id: c.OAUTH_GOOGLE_CLIENT_ID },
      clientSecret: c.OAUTH_GOOGLE_CLIENT_SECRET,
      scopes: OIDC_SCOPES,
      insecure: false,
      server: fixed(GOOGLE_SERVER),
    });
  if (c.OAUTH_MICROSOFT_CLIENT_ID && c.OAUTH_MICROSOFT_CLIENT_SECRET)
    providers.push({
      id: 'microsoft',
      label: 'Microsoft',
      kind: 'oidc',
      client: { client_id: c.OAUTH_MICROSOFT_CLIENT_ID },
      clientSecret: c.OAUTH_MICROSOFT_CLIENT_SECRET,
      scopes: OIDC_SCOPES,
      insecure: false,
      server: fixed(microsoftServer(c.OAUTH_MICROSOFT_TENANT)),
      emailVouched: microsoftVouches(c.OAUTH_MICROSOFT_TENANT),
    });
  if (c.OAUTH_GITHUB_CLIENT_ID && c.OAUTH_GITHUB_CLIENT_SECRET)
    providers.push({
      id: 'github',
      label: 'GitHub',
      kind: 'github',
      client: { client_id: c.OAUTH_GITHUB_CLIENT_ID },
      clientSecret: c.OAUTH_GITHUB_CLIENT_SECRET,
      scopes: ['read:user', 'user:email'],
      insecure: false,
      server: fixed(GITHUB_SERVER),
    });
  if (c.OIDC_ISSUER && c.OIDC_CLIENT_ID && c.OIDC_CLIENT_SECRET) {
    const issuer = c.OIDC_ISSUER;
    const insecure = isLoopback(issuer);
    providers.push({
      id: 'school',
      label: c.OIDC_NAME,
      kind: 'oidc',
      client: { client_id: c.OIDC_CLIENT_ID },
      clientSecret: c.OIDC_CLIENT_SECRET,
      scopes: OIDC_SCOPES,
      insecure,
      server: () => discover(issuer, insecure),
    });
  }
  return providers;
}

export function findProvider(env: Env, id: string): SignInProvider | null {
  return configuredProviders(env).find((p) => p.id === id) ?? null;
}

export const callbackUrl = (appUrl: string, id: ProviderId) =>
  `${new URL(appUrl).origin}/api/auth/oauth/${id}/callback`;
