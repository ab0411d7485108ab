/**
 * Sign-in through Google, Microsoft, GitHub or a school's OpenID Connect provider (worker/auth/oauth/). Start and
 * callback are browser navigations, so every outcome is a redirect: to the dashboard, or to the sign-in page
 * with an error code it explains (`/login?error=oauth_…`). Codes, states and tokens never reach a log or the
 * audit log; the request log drops query strings.
 */
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { auditStatement } from '../audit.ts';
import { setSessionCookie } from '../auth/cookies.ts';
import { linkedProviders, signInWithIdentity, unlinkProvider } from '../auth/oauth/account.ts';
import {
  authorizationUrl,
  finishSignIn,
  FLOW_COOKIE,
  FLOW_TTL_MS,
  newFlow,
  openFlow,
  sealFlow,
  SignInFailure,
  type FailureReason,
} from '../auth/oauth/flow.ts';
import { callbackUrl, configuredProviders, findProvider, PROVIDER_IDS } from '../auth/oauth/providers.ts';
import { isTimeZone } from '../calendar/time-zone.ts';
import { getDb } from '../db.ts';
import { config } from '../env.ts';
import { DomainError } from '../errors.ts';
import { signInFirst } from '../auth/guard.ts';
import { clientIp, enforceRateLimit } from '../http/rate-limit.ts';
import type { AppEnv } from '../http/types.ts';
import { validate } from '../http/validate.ts';

const FLOW_COOKIE_PATH = '/api/auth/oauth';

const toLogin = (c: Context<AppEnv>, error: FailureReason | 'rate_limited') =>
  c.redirect(`/login?error=oauth_${error}`, 303);

/** The flow cookie: HttpOnly, SameSite=Lax (it must come back on the provider's top-level redirect). */
function flowCookieOptions(c: Context<AppEnv>) {
  return {
    httpOnly: true,
    secure: config(c.env).APP_URL.startsWith('https://'),
    sameSite: 'Lax' as const,
    path: FLOW_COOKIE_PATH,
  };
}

/** Records a failed sign-in (no session, no account) and sends the browser to a page that explains it. */
async function failed(c: Context<AppEnv>, provider: string, failure: SignInFailure) {
  const db = getDb(c.env);
  await auditStatement(
    db,
    c.env,
    {
      actorType: 'anonymous',
      action: 'auth.oauth_failed',
      ip: clientIp(c.req),
      userAgent: c.req.header('user-agent'),
      details: { provider, reason: failure.reason, ...(failure.detail ? { detail: failure.detail } : {}) },
    },
    c.get('now'),
  );
  console.warn(JSON.stringify({ at: 'oauth.callback', provider, reason: failure.reason, detail: failure.detail }));
  return toLogin(c, failure.reason);
}

/** Rate limits for a navigation: a refusal is a page, not JSON. */
async function limited(c: Context<AppEnv>, what: string): Promise<boolean> {
  try {
    await enforceRateLimit(c.env.RL_AUTH_IP, `oauth:${clientIp(c.req)}`, what);
    return false;
  } catch (error) {
    if (error instanceof DomainError && error.status === 429) return true;
    throw error;
  }
}

const providerParam = z.object({ provider: z.enum(PROVIDER_IDS, { message: 'No such sign-in provider.' }) });

export const oauthRoutes = new Hono<AppEnv>()
  .get('/providers', async (c) => {
    await enforceRateLimit(c.env.RL_AUTH_IP, `providers:${clientIp(c.req)}`, 'requests from this network');
    return c.json({ providers: configuredProviders(c.env).map(({ id, label }) => ({ id, label })) });
  })

  .get('/oauth/:provider/start', async (c) => {
    if (await limited(c, 'sign-in attempts from this network')) return toLogin(c, 'rate_limited');
    const provider = findProvider(c.env, c.req.param('provider'));
    if (!provider) return failed(c, 'unknown', new SignInFailure('unknown_provider'));
    const zone = c.req.query('timeZone');
    const now = c.get('now');
    const flow = newFlow(provider, zone && isTimeZone(zone) ? zone : null, now);
    let server;
    try {
      server = await provider.server();
    } catch {
      return failed(c, provider.id, new SignInFailure('unavailable', 'discovery'));
    }
    const redirectUri = callbackUrl(config(c.env).APP_URL, provider.id);
    const url = await authorizationUrl(provider, server, flow, redirectUri);
    setCookie(c, FLOW_COOKIE, await sealFlow(config(c.env).SECRET_KEY, flow), {
      ...flowCookieOptions(c),
      maxAge: FLOW_TTL_MS / 1000,
    });
    return c.redirect(url.toString(), 302);
  })

  .get('/oauth/:provider/callback', async (c) => {
    if (await limited(c, 'sign-in attempts from this network')) return toLogin(c, 'rate_limited');
    const provider = findProvider(c.env, c.req.param('provider'));
    if (!provider) return failed(c, 'unknown', new SignInFailure('unknown_provider'));
    const now = c.get('now');
    const { APP_URL, SECRET_KEY } = config(c.env);
    // The cookie is good for one answer: whatever happens next, it is gone.
    const flow = await openFlow(SECRET_KEY, getCookie(c, FLOW_COOKIE), provider.id, now);
    deleteCookie(c, FLOW_COOKIE, flowCookieOptions(c));
    if (!flow || c.req.query('state') !== flow.state)
      return failed(c, provider.id, new SignInFailure('state', flow ? 'mismatch' : 'no flow cookie'));
    try {
      const redirectUri = callbackUrl(APP_URL, provider.id);
      const identity = await finishSignIn(provider, flow, new URL(c.req.url), redirectUri, now);
      const meta = { ip: clientIp(c.req), userAgent: c.req.header('user-agent'), timeZone: flow.timeZone };
      const { user, session } = await signInWithIdentity(c.env, getDb(c.env), provider.id, identity, meta, now);
      setSessionCookie(c, session.token, session.expiresAt);
      return c.redirect(user.role === 'student' ? '/student' : '/teacher', 303);
    } catch (error) {
      if (error instanceof SignInFailure) return failed(c, provider.id, error);
      throw error;
    }
  })

  .get('/oauth/accounts', async (c) => {
    const { user } = c.get('auth');
    if (!user) throw signInFirst();
    await enforceRateLimit(c.env.RL_AUTH_IP, `accounts:${user.id}`, 'requests for your account');
    const labels = new Map(configuredProviders(c.env).map((p) => [p.id as string, p.label]));
    const linked = await linkedProviders(getDb(c.env), user.id);
    return c.json({
      email: user.email,
      linked: linked.map((l) => ({ ...l, label: labels.get(l.provider) ?? l.provider })),
      available: [...labels].map(([id, label]) => ({ id, label })),
    });
  })

  .post('/oauth/accounts/:provider/unlink', validate('param', providerParam), async (c) => {
    const { user } = c.get('auth');
    if (!user) throw signInFirst();
    const ip = clientIp(c.req);
    await enforceRateLimit(c.env.RL_AUTH_IP, `unlink:${user.id}`, 'changes to your sign-in methods');
    await enforceRateLimit(c.env.RL_AUTH_IP, `unlink-ip:${ip}`, 'changes from this network');
    const { provider } = c.req.valid('param');
    const meta = { ip, userAgent: c.req.header('user-agent') };
    if (!(await unlinkProvider(c.env, getDb(c.env), user, provider, meta, c.get('now'))))
      throw new DomainError('not_linked', 404, 'That sign-in method is not linked to your account.');
    return c.json({ ok: true, message: 'Unlinked. You can still sign in with a link sent to your email.' });
  });
