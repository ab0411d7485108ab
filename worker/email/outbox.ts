/**
 * The email outbox: a row is written in the same batch as the change that causes the email, then its id is
 * put on the queue after commit. The queue consumer sends it; the cron sweep re-enqueues rows whose message
 * was lost. The payload is sealed because it can hold a one-time link.
 */
import { describeForLog } from '../log/mask.ts';
import type { TemplateName, TemplatePayloads } from '../../emails/index.ts';
import { emailOutbox } from '../../db/schema.ts';
import { seal, unseal } from '../crypto/seal.ts';
import { newId } from '../crypto/random.ts';
import { clockShift } from '../clock.ts';
import { config, type Env } from '../env.ts';
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db.ts';
import { statementTemplate } from '../db-template.ts';

const SEAL_PURPOSE = 'email-outbox';

export interface OutboxInput<K extends TemplateName> {
  recipient: string;
  template: K;
  payload: TemplatePayloads[K];
  teacherId?: string | null;
  studentId?: string | null;
}

/** The row to insert; the caller puts the insert into its batch. */
export async function outboxValues<K extends TemplateName>(env: Env, input: OutboxInput<K>, now: number) {
  return {
    id: newId(),
    recipient: input.recipient,
    template: input.template,
    payloadSealed: await seal(config(env).SECRET_KEY, SEAL_PURPOSE, JSON.stringify(input.payload)),
    status: 'queued' as const,
    attempts: 0,
    nextAttemptAt: now,
    teacherId: input.teacherId ?? null,
    studentId: input.studentId ?? null,
    createdAt: now,
    updatedAt: now,
  } satisfies typeof emailOutbox.$inferInsert;
}

type OutboxRow = Awaited<ReturnType<typeof outboxValues>>;
/** The columns of a row as `outboxValues` makes it; a template (below) inserts these and only these. */
const OUTBOX_COLUMNS = [
  'id',
  'recipient',
  'template',
  'payloadSealed',
  'status',
  'attempts',
  'nextAttemptAt',
  'teacherId',
  'studentId',
  'createdAt',
  'updatedAt',
] as const satisfies readonly (keyof OutboxRow)[];
// A column `outboxValues` gains must be added above, or a template would leave it out: this fails to compile.
const _everyColumnListed: Exclude<keyof OutboxRow, (typeof OUTBOX_COLUMNS)[number]> extends never ? true : never = true;

/**
 * `insertOutboxWhen` built once (worker/db-template.ts), for a condition over values of its own: a use passes
 * the row and the condition's values together.
 */
export function outboxInsertWhen<V extends Record<string, unknown>>(condition: (values: V) => SQL) {
  return statementTemplate((db, values: OutboxRow & V) =>
    insertOutboxWhen(
      db,
      Object.fromEntries(OUTBOX_COLUMNS.map((column) => [column, values[column]])) as OutboxRow,
      condition(values),
    ),
  );
}

/**
 * The insert of an outbox row that happens only when `condition` holds at that point of the batch (for an email
 * whose wording depends on what an earlier statement of the batch did).
 */
export function insertOutboxWhen(db: Db, row: typeof emailOutbox.$inferInsert, condition: SQL) {
  const keys = Object.keys(row) as (keyof typeof row)[];
  const columns = sql.join(
    keys.map((key) => sql.identifier(emailOutbox[key].name)),
    sql`, `,
  );
  const values = sql.join(
    keys.map((key) => sql`${row[key]}`),
    sql`, `,
  );
  return db.run(sql`INSERT INTO ${emailOutbox} (${columns}) SELECT ${values} WHERE ${condition}`);
}

export async function openPayload(env: Env, sealed: string): Promise<unknown> {
  return JSON.parse(await unseal(config(env).SECRET_KEY, SEAL_PURPOSE, sealed));
}

/**
 * Hands committed outbox rows to the queue. A failure here is not lost: the cron sweep finds the rows. `now` is
 * the time the rows were written at; in test mode the message carries its shift from the wall clock.
 */
export async function enqueueOutbox(env: Env, ids: string[], now: number): Promise<void> {
  if (ids.length === 0) return;
  const clockShiftMs = clockShift(env, now);
  try {
    await env.EMAIL_QUEUE.sendBatch(ids.map((outboxId) => ({ body: { outboxId, clockShiftMs } })));
  } catch (error) {
    console.error(JSON.stringify({ at: 'enqueueOutbox', error: describeForLog(error), count: ids.length }));
  }
}
