/**
 * The email outbox as tests see it. Every email the app sends is first a row in `email_outbox`, written in the
 * same transaction as the change it reports; the consumer claims a `queued` row before sending and marks it
 * `sent` (or `failed` for good) after. So once every row for an address is settled, no further email to it can
 * arrive, and "nothing more was sent" is a count, not a wait.
 */
import { and, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import * as schema from '../../db/schema.ts';
import { db } from './database.ts';
import { emailsTo } from './mailbox.ts';
import { until } from './until.ts';

export type OutboxRow = typeof schema.emailOutbox.$inferSelect;

const SETTLED: OutboxRow['status'][] = ['sent', 'failed'];

/** Every outbox row to the address, optionally of one template (e.g. 'booking-notice'). */
export function outboxRowsTo(recipient: string, template?: string): Promise<OutboxRow[]> {
  return db()
    .select()
    .from(schema.emailOutbox)
    .where(
      and(
        eq(schema.emailOutbox.recipient, recipient),
        template === undefined ? undefined : eq(schema.emailOutbox.template, template),
      ),
    );
}

/** Waits until an outbox row to the address matches `expected` (its fields, compared as toMatchObject does). */
export async function expectOutboxRow(
  recipient: string,
  expected: Partial<OutboxRow>,
  options: { template?: string; timeoutMs?: number } = {},
): Promise<OutboxRow> {
  const matches = (row: OutboxRow) =>
    Object.entries(expected).every(([key, value]) => Object.is(row[key as keyof OutboxRow], value));
  const rows = await until(
    () => outboxRowsTo(recipient, options.template),
    (list) => list.some(matches),
    options.timeoutMs,
  ).catch(async (error: unknown) => {
    // Show the rows that are there next to what was expected.
    expect(await outboxRowsTo(recipient, options.template)).toContainEqual(expect.objectContaining(expected));
    throw error;
  });
  const row = rows.find(matches)!;
  expect(row).toMatchObject(expected);
  return row;
}

/** Waits until every outbox row to the address is sent or failed for good (and there is at least one). */
export function settledOutboxTo(recipient: string, timeoutMs?: number): Promise<OutboxRow[]> {
  return until(
    () => outboxRowsTo(recipient),
    (rows) => rows.length > 0 && rows.every((r) => SETTLED.includes(r.status)),
    timeoutMs,
  );
}

/**
 * Asserts that the address got exactly `count` emails, and that no more are on their way: waits for its outbox
 * to settle, then counts the sent rows and the mailbox. `subjectIncludes` narrows the mailbox count, `template`
 * the outbox count, to one kind of email.
 */
export async function expectEmailCountTo(
  recipient: string,
  count: number,
  options: { template?: string; subjectIncludes?: string; timeoutMs?: number } = {},
): Promise<void> {
  await settledOutboxTo(recipient, options.timeoutMs);
  const rows = await outboxRowsTo(recipient, options.template);
  expect(rows.filter((r) => r.status === 'sent')).toHaveLength(count);
  const received = (await emailsTo(recipient)).filter(
    (m) => !options.subjectIncludes || m.subject.includes(options.subjectIncludes),
  );
  expect(received).toHaveLength(count);
}
