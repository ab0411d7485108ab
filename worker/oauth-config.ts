/**
 * Sign-in providers' settings, part of the Worker's config (env.ts). A provider is on when its client id is
 * set; its secret must then be set too (`wrangler secret put`). See README, "Sign in with Google, Microsoft,
 * GitHub or a school".
 */
import { z } from 'zod';

const optional = z.string().trim().min(1).optional();

/** A school's issuer: https, or http on this machine only (the demo school of `npm run dev` and the tests). */
const issuerSchema = z
  .url({ message: 'OIDC_ISSUER must be the URL of the school’s OpenID Connect issuer' })
  .refine((url) => url.startsWith('https://') || isLoopback(url), {
    message: 'OIDC_ISSUER must be an https:// URL (http only for 127.0.0.1 or localhost)',
  })
  .optional();

export function isLoopback(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' && (hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]');
}

export const oauthConfigShape = {
  OAUTH_GOOGLE_CLIENT_ID: optional,
  OAUTH_GOOGLE_CLIENT_SECRET: optional,
  OAUTH_MICROSOFT_CLIENT_ID: optional,
  OAUTH_MICROSOFT_CLIENT_SECRET: optional,
  /** A tenant id or domain (one school), or "organizations" / "common" for every Microsoft work account. */
  OAUTH_MICROSOFT_TENANT: z.string().trim().min(1).default('organizations'),
  OAUTH_GITHUB_CLIENT_ID: optional,
  OAUTH_GITHUB_CLIENT_SECRET: optional,
  OIDC_ISSUER: issuerSchema,
  OIDC_CLIENT_ID: optional,
  OIDC_CLIENT_SECRET: optional,
  /** The school's name on its button: "Sign in with …". */
  OIDC_NAME: z.string().trim().min(1).max(60).default('your school'),
};

const PAIRS = [
  ['OAUTH_GOOGLE_CLIENT_ID', 'OAUTH_GOOGLE_CLIENT_SECRET'],
  ['OAUTH_MICROSOFT_CLIENT_ID', 'OAUTH_MICROSOFT_CLIENT_SECRET'],
  ['OAUTH_GITHUB_CLIENT_ID', 'OAUTH_GITHUB_CLIENT_SECRET'],
  ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'],
  ['OIDC_CLIENT_ID', 'OIDC_ISSUER'],
] as const;

type OAuthSettings = { [K in keyof typeof oauthConfigShape]?: unknown };

/** A half-configured provider fails at start-up, naming what is missing, rather than at a user's click. */
export function oauthConfigProblems(value: OAuthSettings, ctx: z.RefinementCtx): void {
  for (const [id, other] of PAIRS) {
    if (value[id] !== undefined && value[other] === undefined)
      ctx.addIssue({ code: 'custom', path: [other], message: `${other} must be set when ${id} is` });
  }
}
