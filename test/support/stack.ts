/**
 * The shared test stack's addresses (provided by test/setup/stack-global.ts) and fresh identities, so that
 * tests sharing one stack never see each other's users, emails or per-IP rate limits.
 */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';

export const appUrl = () => inject('appUrl');
export const mailboxUrl = () => inject('mailboxUrl');

export const uniqueEmail = (label = 'user') => `${label}-${randomUUID().slice(0, 8)}@example.test`;

/** A fresh client address per test, so per-IP rate limits of one test don't affect another. */
export const uniqueIp = () =>
  `2001:db8::${randomUUID().slice(0, 4)}:${randomUUID().slice(0, 4)}:${randomUUID().slice(0, 4)}`; // documentation range, never routed
