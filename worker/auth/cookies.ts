import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { config } from '../env.ts';
import type { AppEnv } from '../http/types.ts';
import { SESSION_COOKIE } from './session.ts';

/** Secure everywhere but a plain-http local APP_URL (browsers treat loopback as secure anyway). */
function secure(c: Context<AppEnv>): boolean {
  return config(c.env).APP_URL.startsWith('https://');
}

export function setSessionCookie(c: Context<AppEnv>, token: string, expiresAt: number): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    secure: secure(c),
    sameSite: 'Lax',
    path: '/',
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: secure(c), httpOnly: true, sameSite: 'Lax' });
}

export const readSessionCookie = (c: Context<AppEnv>) => getCookie(c, SESSION_COOKIE);
