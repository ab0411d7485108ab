/**
 * The authorization code flow with PKCE, `state`, and a `nonce` for OpenID Connect providers, through
 * `oauth4webapi`. What the callback needs to check its answer (state, PKCE verifier, nonce) travels in a sealed,
 * short-lived cookie, so nothing is stored before the user comes back.
 */
import * as oauth from 'oauth4webapi';
import { z } from 'zod';
import { seal, unseal } from '../../crypto/seal.ts';
import { githubIdentity } from './github.ts';
import { IdTokenRejected, verifyIdToken } from './id-token.ts';
import { PROVIDER_IDS, type SignInProvider } from './providers.ts';

export const FLOW_COOKIE = 'slotcast_oauth';
/** Long enough to sign in at the provider, short enough that a stolen cookie is soon worthless. */
export const FLOW_TTL_MS = 10 * 60 * 1000;
const SEAL_PURPOSE = 'oauth-flow';

const flowSchema = z.object({
  provider: z.enum(PROVIDER_IDS),
  state: z.string(),
  verifier: z.string(),
  nonce: z.string().nullable(),
  timeZone: z.string().nullable(),
  expiresAt: z.number(),
});
export type Flow = z.infer<typeof flowSchema>;

/** Why a sign-in through a provider ended without a session; the web app explains each (login page). */
export type FailureReason =
  | 'state'
  | 'denied'
  | 'code_rejected'
  | 'token_invalid'
  | 'unavailable'
  | 'email_unverified'
  | 'no_email'
  | 'disabled'
  | 'unknown_provider';

export class SignInFailure extends Error {
  constructor(
    readonly reason: FailureReason,
    /** A short, secret-free detail for the audit log (e.g. which claim failed). */
    readonly detail?: string,
  ) {
    super(`sign-in failed: ${reason}${detail ? ` (${detail})` : ''}`);
  }
}

export function newFlow(provider: SignInProvider, timeZone: string | null, now: number): Flow {
  return {
    provider: provider.id,
    state: oauth.generateRandomState(),
    verifier: oauth.generateRandomCodeVerifier(),
    nonce: provider.kind === 'oidc' ? oauth.generateRandomNonce() : null,
    timeZone,
    expiresAt: now + FLOW_TTL_MS,
  };
}

/** Where to send the browser: the provider's authorization endpoint with our client, PKCE, state and nonce. */
export async function authorizationUrl(
  provider: SignInProvider,
  server: oauth.AuthorizationServer,
  flow: Flow,
  redirectUri: string,
): Promise<URL> {
  const url = new URL(server.authorization_endpoint!);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', provider.client.client_id);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('scope', provider.scopes.join(' '));
  url.searchParams.set('state', flow.state);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(flow.verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  if (flow.nonce) url.searchParams.set('nonce', flow.nonce);
  // Let the person choose which of their accounts to use, rather than silently reusing the last one.
  if (provider.id === 'google' || provider.id === 'microsoft') url.searchParams.set('prompt', 'select_account');
  return url;
}

export const sealFlow = (secret: string, flow: Flow) => seal(secret, SEAL_PURPOSE, JSON.stringify(flow));

/** The flow from the cookie, or null when it is missing, forged, for another provider or expired. */
export async function openFlow(secret: string, sealed: string | undefined, providerId: string, now: number) {
  if (!sealed) return null;
  try {
    const flow = flowSchema.parse(JSON.parse(await unseal(secret, SEAL_PURPOSE, sealed)));
    return flow.provider === providerId && flow.expiresAt > now ? flow : null;
  } catch {
    return null;
  }
}

export interface Identity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

const networkOptions = (provider: SignInProvider) => ({
  [oauth.allowInsecureRequests]: provider.insecure,
  signal: AbortSignal.timeout(5_000),
});

/** Reaches the provider; anything that fails on the way (refused, timed out, garbled) means it is down. */
async function reach<T>(step: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SignInFailure) throw error;
    throw new SignInFailure('unavailable', step);
  }
}

/**
 * Checks the provider's answer against the flow, exchanges the code, verifies the ID token and reads who the
 * user is. Throws SignInFailure for every way this can go wrong.
 */
export async function finishSignIn(
  provider: SignInProvider,
  flow: Flow,
  callback: URL,
  redirectUri: string,
  now: number,
): Promise<Identity> {
  const server = await reach('discovery', () => provider.server());
  const { client } = provider;
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(server, client, callback.searchParams, flow.state);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) throw new SignInFailure('denied', error.error);
    throw new SignInFailure('state', (error as { code?: string }).code);
  }
  const basic = server.token_endpoint_auth_methods_supported?.includes('client_secret_basic') ?? true;
  const auth = basic ? oauth.ClientSecretBasic(provider.clientSecret) : oauth.ClientSecretPost(provider.clientSecret);
  const response = await reach('token', () =>
    oauth.authorizationCodeGrantRequest(
      server,
      client,
      auth,
      params,
      redirectUri,
      flow.verifier,
      networkOptions(provider),
    ),
  );
  if (response.status >= 500) throw new SignInFailure('unavailable', `token ${response.status}`);
  let tokens: oauth.TokenEndpointResponse;
  try {
    tokens = await oauth.processAuthorizationCodeResponse(server, client, response, {
      expectedNonce: flow.nonce ?? oauth.expectNoNonce,
      requireIdToken: provider.kind === 'oidc',
    });
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError) throw new SignInFailure('code_rejected', error.error);
    const claim = (error as { cause?: { claim?: string } }).cause?.claim;
    throw new SignInFailure('token_invalid', claim ? `claim ${claim}` : (error as { code?: string }).code);
  }

  if (provider.kind === 'github') return reach('github api', () => githubIdentity(tokens.access_token));

  let claims: Record<string, unknown>;
  try {
    claims = await verifyIdToken(tokens.id_token!, {
      jwksUri: server.jwks_uri,
      issuer: (c) => server.issuer.replace('{tenantid}', String(c.tid)),
      audience: client.client_id,
      nonce: flow.nonce!,
      now,
    });
  } catch (error) {
    if (error instanceof IdTokenRejected) throw new SignInFailure('token_invalid', error.reason);
    throw new SignInFailure('unavailable', 'keys');
  }
  if (typeof claims.email !== 'string' && server.userinfo_endpoint) {
    // Many providers put the email only in userinfo; its `sub` must be the ID token's.
    const info = await reach('userinfo', async () => {
      const answer = await oauth.userInfoRequest(server, client, tokens.access_token, networkOptions(provider));
      return oauth.processUserInfoResponse(server, client, String(claims.sub), answer);
    });
    claims = { ...info, ...claims, email: info.email, email_verified: info.email_verified };
  }
  const vouched = provider.emailVouched ? provider.emailVouched(claims) : claims.email_verified === true;
  return {
    subject: String(claims.sub),
    email: typeof claims.email === 'string' ? claims.email : null,
    emailVerified: vouched,
    name: typeof claims.name === 'string' ? claims.name : null,
  };
}
