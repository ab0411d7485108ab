import { describe, expect, it } from 'vitest';
import { describeForLog, maskPath } from './mask.ts';

describe('what request logs may contain', () => {
  it('masks share-link tokens in API, page and live paths', () => {
    expect(maskPath('/api/booking/abcdefghijklmnopqrstuvwxyz234567/calendar')).toBe('/api/booking/[token]/calendar');
    expect(maskPath('/book/3f0c/abcdefghijklmnopqrstuvwxyz234567')).toBe('/book/3f0c/[token]');
    expect(maskPath('/api/live/link/abcdefghijklmnopqrstuvwxyz234567')).toBe('/api/live/link/[token]');
  });
  it('leaves other paths alone', () => {
    expect(maskPath('/api/booking/confirm')).toBe('/api/booking/confirm');
    expect(maskPath('/api/teacher/slots')).toBe('/api/teacher/slots');
  });
  it('drops query parameters that drizzle appends to errors', () => {
    const error = new Error('Failed query: select * from users where email = ?\nparams: someone@example.test');
    expect(describeForLog(error)).not.toContain('someone@example.test');
  });

  it('tells a failed query by its cause first, then at most 200 characters of its SQL, never its parameters', () => {
    const sql = `insert into "bookings" (${'"column", '.repeat(60)}) values (?)`;
    const lost = new TypeError('Network connection lost.');
    const error = new Error(`Failed query: ${sql}\nparams: someone@example.test,deadbeef`, { cause: lost });
    const line = describeForLog(error);
    expect(line).toMatch(/^DB request failed: Network connection lost\. — in: insert into "bookings"/);
    expect(line).not.toContain('someone@example.test');
    expect(line).not.toContain('deadbeef');
    expect(line.length).toBeLessThan(300);
  });
});

describe('describeForLog', () => {
  it('keeps email addresses out of the line, from the message and from its cause', () => {
    const error = new Error('550 5.1.1 <lena.ortiz@example.test>: Recipient address rejected', {
      cause: new Error('RCPT TO:<x+y@sub.example.org> refused'),
    });
    const line = describeForLog(error);
    expect(line).not.toMatch(/@/);
    expect(line).toContain('[email]');
    expect(line).toContain('Recipient address rejected');
  });
});
