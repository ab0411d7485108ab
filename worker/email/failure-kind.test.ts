import { describe, expect, it } from 'vitest';
import { failureKind, ProviderHttpError } from './failure-kind.ts';

describe('failureKind', () => {
  it('calls an SMTP 5xx reply to a transaction step permanent', () => {
    expect(failureKind(new Error('Invalid RCPT TO: <a@b.test> 550 5.1.1 No such user'))).toBe('permanent');
    expect(failureKind(new Error('Invalid MAIL FROM: <x@y.test> RET=HDRS 553 Sender refused'))).toBe('permanent');
    expect(failureKind(new Error('Failed send email body: 550 Message refused (dev mailbox fault)\r\n'))).toBe(
      'permanent',
    );
    expect(failureKind(new Error('Failed to send DATA: 554 Transaction failed'))).toBe('permanent');
  });

  it('calls SMTP 4xx replies and connection trouble transient', () => {
    expect(failureKind(new Error('Failed send email body: 451 Temporary failure, try again later'))).toBe('transient');
    expect(failureKind(new Error('Invalid RCPT TO: <a@b.test> 421 Service not available'))).toBe('transient');
    expect(failureKind(new Error('Failed to connect to SMTP server: Error: connection refused'))).toBe('transient');
    expect(failureKind(new Error('The SMTP server closed the connection'))).toBe('transient');
    // A 5xx to the greeting is the relay's trouble, not this email's.
    expect(failureKind(new Error('Failed to EHLO. 554 No service'))).toBe('transient');
    // An address that looks like a reply code doesn't fool it.
    expect(failureKind(new Error('Invalid RCPT TO: <550-a@b.test> 451 later'))).toBe('transient');
  });

  it('calls HTTP 4xx refusals permanent, except 408 and 429', () => {
    for (const status of [400, 401, 403, 404, 409, 422])
      expect(failureKind(new ProviderHttpError('resend', status, `Resend answered ${status}`))).toBe('permanent');
    for (const status of [408, 429, 500, 502, 503])
      expect(failureKind(new ProviderHttpError('resend', status, `Resend answered ${status}`))).toBe('transient');
    expect(failureKind(new TypeError('fetch failed'))).toBe('transient');
  });

  it('reads the Email Service binding’s error codes', () => {
    expect(failureKind(Object.assign(new Error('sender not verified'), { code: 'E_SENDER_NOT_VERIFIED' }))).toBe(
      'permanent',
    );
    expect(failureKind(new Error('E_RECIPIENT_NOT_ALLOWED: recipient not allowed'))).toBe('permanent');
    expect(failureKind(new Error('E_RATE_LIMIT_EXCEEDED: slow down'))).toBe('transient');
    expect(failureKind(new Error('E_INTERNAL_SERVER_ERROR'))).toBe('transient');
  });
});
