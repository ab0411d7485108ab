/**
 * Signing in through the demo school (scripts/oidc-provider), as a browser would but without one: the app's
 * cookie jar for Slotcast, another for the school, every redirect followed by hand so each step can be checked
 * or broken. Everything the flow hands out (state, code, the flow cookie, the session) goes to the token ledger,
 * so test/log-audit searches the logs for it.
 */
import { inject } from 'vitest';
import type { Fault } from '../../scripts/oidc-provider/index.ts';
import { testClient, type TestClient } from '../support/client.ts';
import { recordIssued } from '../support/token-ledger.ts';
import { uniqueIp } from '../support/stack.ts';

export const schoolUrl = () => inject('schoolUrl');

/** A test lever on the demo school (only the test stack has them). */
export async function breakSchool(control: { down: boolean } | { sub: string; fault: Fault }): Promise<void> {
  const path = 'down' in control ? '/__test/down' : '/__test/fault';
  const response = await fetch(schoolUrl() + path, { method: 'POST', body: JSON.stringify(control) });
  if (response.status !== 204) throw new Error(`the school refused ${path}: ${response.status}`);
}

/** A person in one browser: Slotcast's cookies and the school's. */
export function person(ip = uniqueIp()) {
  return { app: testClient({ ip }), school: testClient({ baseUrl: schoolUrl() }) };
}
export type Person = ReturnType<typeof person>;

const relative = (location: string, base: string) => {
  const url = new URL(location, base);
  return url.pathname + url.search;
};

/** Starts a sign-in at Slotcast; returns the school's authorization URL (the browser's next stop). */
export async function start(who: Person, provider = 'school'): Promise<URL> {
  const started = await who.app.get(`/api/auth/oauth/${provider}/start?timeZone=Europe/Berlin`);
  if (started.status !== 302) throw new Error(`start answered ${started.status}: ${started.text.slice(0, 200)}`);
  const flowCookie = who.app.cookie('slotcast_oauth');
  if (flowCookie) recordIssued('oauth', flowCookie);
  const url = new URL(started.headers.get('location')!);
  recordIssued('oauth', url.searchParams.get('state')!);
  recordIssued('oauth', url.searchParams.get('nonce')!);
  return url;
}

/** Signs in at the school's login page; returns the callback URL the school sends the browser back to. */
export async function signInAtSchool(
  who: Person,
  authorizeUrl: URL,
  account: { email: string; verified?: boolean },
): Promise<URL> {
  let response = await who.school.get(relative(authorizeUrl.toString(), schoolUrl()));
  for (let hops = 0; hops < 10; hops++) {
    if (response.status === 200 && response.text.includes('School email address')) {
      const action = /action="([^"]+)"/.exec(response.text)![1]!;
      const form = new URLSearchParams({ email: account.email });
      if (account.verified !== false) form.set('verified', 'on');
      response = await who.school.post(action, form, { 'content-type': 'application/x-www-form-urlencoded' });
      continue;
    }
    const location = response.headers.get('location');
    if (!location) throw new Error(`the school answered ${response.status}: ${response.text.slice(0, 300)}`);
    const next = new URL(location, schoolUrl());
    if (next.origin !== new URL(schoolUrl()).origin) {
      const code = next.searchParams.get('code');
      if (code) recordIssued('oauth', code);
      return next;
    }
    response = await who.school.get(next.pathname + next.search);
  }
  throw new Error('the school kept redirecting');
}

/** Brings the school's answer back to Slotcast; returns where Slotcast sends the browser. */
export async function arriveAtSlotcast(who: Person, callback: URL | string): Promise<string> {
  const url = typeof callback === 'string' ? new URL(callback, who.app.baseUrl) : callback;
  const answered = await who.app.get(url.pathname + url.search);
  if (answered.status !== 303) throw new Error(`callback answered ${answered.status}: ${answered.text.slice(0, 200)}`);
  const session = who.app.cookie('slotcast_session');
  if (session) recordIssued('session', session);
  return answered.headers.get('location')!;
}

/** The whole sign-in; returns where Slotcast lands the person. */
export async function signInWithSchool(who: Person, account: { email: string; verified?: boolean }) {
  return arriveAtSlotcast(who, await signInAtSchool(who, await start(who), account));
}

export type { TestClient };
