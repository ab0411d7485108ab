/**
 * Bad input never reaches a 500. Every endpoint of the Hono app (read from `app.routes`, so a new one is covered
 * the day it is added) gets generated bodies, query strings and path parameters (fast-check), as nobody, a
 * teacher, a student, a share link and an API key. Every answer must be below 500; every 4xx must have the
 * API's error shape, with messages written for a person (no library wording, no field path in front); and
 * an answer that refused the request must have changed nothing of the teacher's or the student's data. Runs are bounded and seeded: a failure prints the seed and the request that caused it
 * (`FUZZ_SEED=<seed> npm test -- test/integration/bad-input.test.ts` replays it).
 */
import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../../db/schema.ts';
import { app } from '../../worker/app.ts';
import { createSessionFor } from '../support/teacher-session.ts';
import { testClient } from '../support/client.ts';
import { db } from '../support/database.ts';
import { givenApiKey, givenSlots, givenStudent, givenTeacher } from '../support/scenario.ts';
import { uniqueIp } from '../support/stack.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const RUNS_PER_ENDPOINT = 32;
/** These change state whatever the body says (signing out is what the request asks for). */
const NOT_FUZZED = new Set(['POST /api/auth/sign-out']);

/**
 * What a person must never read: a validation library's or the framework's default wording ("Too big: expected
 * string to have <=80 characters", "Invalid input", "Malformed JSON in request body") or a field path in front of
 * a sentence ("weeklyRanges.3: …"). Every message the API gives is a sentence of its own.
 */
const DEVELOPER_TEXT =
  /Invalid input|Too (big|small)|expected (string|number|boolean|array|object|int|date|bigint|nonoptional|undefined|null|record)|received|Unrecognized key|Malformed JSON|Invalid (option|string|enum|type|element|key|union|discriminator)|<=|>=|^[\w.[\]]+: /;
function expectWrittenForAPerson(message: unknown, what: string) {
  expect(typeof message, what).toBe('string');
  expect(message as string, what).not.toMatch(DEVELOPER_TEXT);
  expect(message as string, what).toMatch(/[.?!)]$/);
}

type Caller = 'nobody' | 'teacher' | 'student' | 'link' | 'api-key';

const endpoints = [
  ...new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path.replace(/\/$/, '')}`)),
].filter((e) => !NOT_FUZZED.has(e));

/** Text that has broken parsers before: huge and odd numbers, control characters, other scripts, SQL, paths. */
const nastyText = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e400',
    '-1e400',
    '9'.repeat(400),
    `${'9'.repeat(400)}:00000000-0000-0000-0000-000000000000`,
    '123:not-a-uuid',
    'NaN',
    'Infinity',
    '0x1F',
    '1.5',
    '\u0000',
    'a\r\nBcc: x@example.test',
    '../../../etc/passwd',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    '2027-02-30',
    '2027-03-14T25:61',
    '24:00',
    '١٢٣',
    '💥'.repeat(200),
    'x'.repeat(5000),
    'null',
    '[]',
    '{}',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.bigInt().map(String),
  fc.double().map(String),
);

const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyText,
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, Number.MAX_SAFE_INTEGER + 2, 1e21, -0, 8.64e15 + 1),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(nastyText, fc.integer({ min: -10, max: 10 })), { maxLength: 5 }),
  fc.uuid(),
  fc.emailAddress(),
);

/** Field names the API reads, so generated bodies get past "unknown key" into each field's own checks. */
const FIELDS = [
  'email',
  'name',
  'start',
  'end',
  'lengthMinutes',
  'subject',
  'externalId',
  'timeZone',
  'slotId',
  'slotIds',
  'days',
  'startTime',
  'from',
  'until',
  'token',
  'expiresInDays',
  'maxUses',
  'color',
  'weeklyRanges',
  'notes',
  'preferences',
  'displayName',
  'minNoticeMinutes',
  'cancellationWindowMinutes',
  'defaultSlotMinutes',
  'bookingHorizonDays',
  'bufferMinutes',
  'notifyOnBooking',
  'defaultLinkDays',
];
const QUERY_KEYS = ['from', 'to', 'cursor', 'limit', 'filter', 'week', 'x'];

/** A body as sent on the wire: JSON of an object, any JSON, broken JSON, or not JSON at all. */
const body = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...FIELDS), nastyValue, { maxKeys: 6 }).map(json) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(json) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('{', '{"email":', 'not json', '', '[1,2', '{"a":1}{"b":2}').map((raw) => ({
      raw,
      type: 'application/json',
    })),
  },
  { weight: 1, arbitrary: nastyText.map((raw) => ({ raw, type: 'text/plain' })) },
);
function json(value: unknown) {
  return { raw: JSON.stringify(value), type: 'application/json' };
}

const query = fc.dictionary(fc.constantFrom(...QUERY_KEYS), nastyText, { maxKeys: 4 });
const pathParam = fc.oneof(
  nastyText.filter((t) => t.length > 0),
  fc.uuid(),
);
const caller = fc.constantFrom<Caller>('nobody', 'teacher', 'student', 'link', 'api-key');

interface World {
  teacherId: string;
  studentUserId: string;
  teacherCookie: string;
  studentCookie: string;
  token: string;
  apiKey: string;
  bookingId: string;
  studentRowId: string;
}
let world: World;

beforeAll(async () => {
  const teacher = await givenTeacher();
  const student = await givenStudent(teacher);
  const [slotId] = await givenSlots(teacher, 2);
  const booked = await student.portal.book(slotId!);
  expect(booked.status).toBe(201);
  const key = await givenApiKey(teacher);
  const [account] = await db()
    .select({ userId: schema.bookings.studentUserId })
    .from(schema.bookings)
    .where(eq(schema.bookings.id, booked.body.booking.id));
  world = {
    teacherId: teacher.id,
    studentUserId: account!.userId!,
    teacherCookie: teacher.cookie,
    studentCookie: await createSessionFor(db(), account!.userId!),
    token: student.token,
    apiKey: key.secret,
    bookingId: booked.body.booking.id,
    studentRowId: student.id,
  };
});

/** Everything of the teacher's and the student's that a refused request must leave as it was. */
async function fingerprint(): Promise<string> {
  const { teacherId, studentUserId } = world;
  const results = await db().$client.batch(
    [
      { sql: 'SELECT * FROM teachers WHERE id = ?', args: [teacherId] },
      { sql: 'SELECT * FROM users WHERE id IN (?, ?) ORDER BY id', args: [teacherId, studentUserId] },
      { sql: 'SELECT * FROM slots WHERE teacher_id = ? ORDER BY id', args: [teacherId] },
      { sql: 'SELECT * FROM students WHERE teacher_id = ? ORDER BY id', args: [teacherId] },
      { sql: 'SELECT * FROM bookings WHERE teacher_id = ? ORDER BY id', args: [teacherId] },
      // Views are counted on reads (after the answer), so the view counters are left out.
      {
        sql: 'SELECT id, token_hash, expires_at, max_uses, use_count, revoked_at FROM share_links WHERE teacher_id = ? ORDER BY id',
        args: [teacherId],
      },
      { sql: 'SELECT id, name, revoked_at FROM api_keys WHERE teacher_id = ? ORDER BY id', args: [teacherId] },
      // Emails queued before the run are being sent meanwhile: their status is left out, a new row is not.
      { sql: 'SELECT id FROM email_outbox WHERE teacher_id = ? ORDER BY id', args: [teacherId] },
      { sql: 'SELECT * FROM availability WHERE student_user_id = ?', args: [studentUserId] },
      {
        sql: 'SELECT id FROM auth_sessions WHERE user_id IN (?, ?) ORDER BY id',
        args: [teacherId, studentUserId],
      },
    ],
    'read',
  );
  return createHash('sha256')
    .update(JSON.stringify(results.map((r) => r.rows)))
    .digest('hex');
}

function fillPath(template: string, who: Caller, params: string[]): string {
  let i = 0;
  return template.replace(/:(\w+)/g, (_, name: string) => {
    const generated = params[i++ % params.length]!;
    if (name === 'token' && who === 'link' && i % 2 === 1) return world.token;
    if (name === 'id' && who === 'teacher' && generated.length % 3 === 0) return world.studentRowId;
    if ((name === 'id' || name === 'bookingId') && generated.length % 3 === 1) return world.bookingId;
    return encodeURIComponent(generated);
  });
}

function headersFor(who: Caller): Record<string, string> {
  if (who === 'teacher') return { cookie: world.teacherCookie };
  if (who === 'student') return { cookie: world.studentCookie };
  if (who === 'api-key') return { authorization: `Bearer ${world.apiKey}` };
  return {};
}

describe('bad input never reaches a 500', () => {
  it('covers every endpoint the app has', () => {
    expect(endpoints.length).toBeGreaterThan(30);
    expect(endpoints).toContain('GET /api/student/sessions');
    expect(endpoints).toContain('POST /api/booking/confirm');
  });

  it('refuses a 400-digit page cursor with a clear 400', async () => {
    const api = testClient({ cookie: world.studentCookie, ip: uniqueIp() });
    const answer = await api.get(
      `/api/student/sessions?cursor=${'9'.repeat(400)}:00000000-0000-0000-0000-000000000000`,
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 'invalid_request',
      message: 'This page link is not valid.',
      // One message for the field, however many of its rules the value broke.
      details: { issues: [{ path: 'cursor', message: 'This page link is not valid.' }] },
    });
  });

  it.each(endpoints)(
    '%s: generated requests answer below 500, in the error shape, changing nothing',
    async (endpoint) => {
      const [method, template] = endpoint.split(' ') as [string, string];
      await fc.assert(
        fc.asyncProperty(
          caller,
          query,
          body,
          fc.array(pathParam, { minLength: 1, maxLength: 2 }),
          async (who, q, b, params) => {
            const path = fillPath(template, who, params);
            const search = new URLSearchParams(q).toString();
            const before = await fingerprint();
            const api = testClient({ ip: uniqueIp(), headers: headersFor(who) });
            const url = `${path}${search ? `?${search}` : ''}`;
            const headers = { 'content-type': b.type };
            const answer =
              method === 'GET'
                ? await api.get(url)
                : method === 'DELETE'
                  ? await api.delete(url)
                  : method === 'PATCH'
                    ? await api.patch(url, b.raw, headers)
                    : await api.post(url, b.raw, headers);
            const what = `${who} ${method} ${url} ${b.raw.slice(0, 300)} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`;
            expect(answer.status, what).toBeLessThan(500);
            if (answer.status >= 400) {
              expect(answer.body, what).toMatchObject({
                error: { code: expect.any(String), message: expect.any(String) },
              });
              const error = (answer.body as { error: { message: string; details?: { issues?: unknown } } }).error;
              expectWrittenForAPerson(error.message, what);
              const issues = error.details?.issues;
              if (Array.isArray(issues)) for (const issue of issues) expectWrittenForAPerson(issue.message, what);
              expect(await fingerprint(), `${what}: a refused request changed data`).toBe(before);
            }
          },
        ),
        { numRuns: RUNS_PER_ENDPOINT, seed: SEED, endOnFailure: true },
      );
    },
  );
});
