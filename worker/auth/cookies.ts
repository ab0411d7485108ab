import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { config } from '../env.ts';
import type { AppEnv } from '../http/types.ts';
import { SESSION_COOKIE } from './session.ts';

/** Secure everywhere but a plain-http local APP_URL (browsers treat loopback as secure anyway). */
function secure(c: Context<AppEnv>): boolean {
  return config(c.env).APP_URL.startsWith('https://');
}

/**
 * Over https the cookie is `__Host-` prefixed: browsers then accept it only with Secure, Path=/ and no Domain,
 * so neither a sibling subdomain nor a plain-http page can plant or overwrite a session. A plain-http local
 * APP_URL can't carry the prefix (it requires Secure), so it keeps the bare name.
 */
function cookieName(c: Context<AppEnv>): string {
  return secure(c) ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
}

export function setSessionCookie(c: Context<AppEnv>, token: string, expiresAt: number): void {
  setCookie(c, cookieName(c), token, {
    httpOnly: true,
    secure: secure(c),
    sameSite: 'Lax',
    path: '/',
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, cookieName(c), { path: '/', secure: secure(c), httpOnly: true, sameSite: 'Lax' });
}

export const readSessionCookie = (c: Context<AppEnv>) => getCookie(c, cookieName(c));
