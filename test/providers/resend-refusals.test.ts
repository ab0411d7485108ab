/**
 * Resend's answers, classified: a validation error (422) is a permanent refusal and fails the email at once;
 * a rate limit (429) or a server error (500) is temporary and retried. Through the local stand-in of Resend's
 * API (test/support/resend-stand-in.ts), on a stack of its own (the provider is configuration).
 */
import { createClient } from '@libsql/client';
import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../../db/schema.ts';
import { freePort, startStack, type Stack } from '../../scripts/stack.ts';
import { testClient } from '../support/client.ts';
import { startResendStandIn, type ResendStandIn } from '../support/resend-stand-in.ts';
import { uniqueIp } from '../support/stack.ts';
import { until } from '../support/until.ts';

describe('Resend refusals', () => {
  const apiKey = `re_test_${randomUUID().replaceAll('-', '')}`;
  let resend: ResendStandIn;
  let stack: Stack;
  let dataDir: string;
  let db: ReturnType<typeof drizzle<typeof schema>>;

  beforeAll(async () => {
    resend = await startResendStandIn({ apiKey });
    dataDir = await mkdtemp(join(tmpdir(), 'slotcast-resend-refusals-'));
    stack = await startStack({
      dataDir,
      port: await freePort(),
      quiet: true,
      build: false,
      extraVars: { EMAIL_PROVIDER: 'resend', RESEND_API_URL: resend.url, RESEND_API_KEY: apiKey },
    });
    db = drizzle(createClient({ url: stack.dbUrl }), { schema });
  });
  afterAll(async () => {
    await stack?.stop();
    await resend?.close();
    if (dataDir && !process.env.SLOTCAST_KEEP_DATA) await rm(dataDir, { recursive: true, force: true });
  });

  /** A sign-in link asked for the address: one email through the outbox; its row once attempted. */
  async function firstAttempt(email: string) {
    const asked = await testClient({ baseUrl: stack.appUrl, ip: uniqueIp() }).post('/api/auth/magic-link', { email });
    expect(asked.status).toBe(202);
    const rows = await until(
      () =>
        db
          .select()
          .from(schema.emailOutbox)
          .where(and(eq(schema.emailOutbox.recipient, email), eq(schema.emailOutbox.template, 'sign-in'))),
      (list) => list.some((r) => r.attempts >= 1 && r.status !== 'sending' && !!r.lastError),
    );
    return rows[0]!;
  }

  it('fails an email Resend refuses with 422 at once, with Resend’s reason', async () => {
    const email = `refused-${randomUUID().slice(0, 8)}@example.test`;
    resend.failNext(422, 5, { to: email });
    const row = await firstAttempt(email);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.lastError).toMatch(/Resend answered 422/);
    expect(resend.requestsTo(email)).toHaveLength(1);
  });

  for (const status of [429, 500] as const) {
    it(`retries an email Resend answers ${status} instead of failing it`, async () => {
      const email = `later-${status}-${randomUUID().slice(0, 8)}@example.test`;
      resend.failNext(status, 1, { to: email });
      const row = await firstAttempt(email);
      expect(row).toMatchObject({ status: 'queued', attempts: 1 });
      expect(row.lastError).toContain(`Resend answered ${status}`);
      expect(row.nextAttemptAt).toBeGreaterThan(row.updatedAt);
    });
  }
});
