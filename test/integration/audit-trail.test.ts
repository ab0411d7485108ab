/**
 * The audit trail, end to end on the real stack: one teacher's term is played through the API (settings, open
 * times, students, links, views, bookings through a link and an API key, cancellations, moves, outcomes, emails
 * sent, failed and bounced, sign-ins that work and fail, a student's availability), then each action is looked
 * for in the teacher's trail with who did it, to whom, from where, and what changed. Another teacher sees none of
 * it; no token the test was handed appears in any entry, in the database or in the CSV, which is parsed back.
 */
import { parse } from 'csv-parse/sync';
import { and, eq, isNull } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../../db/schema.ts';
import { testClient, type Json, type TestClient } from '../support/client.ts';
import { runCron } from '../support/cron.ts';
import { db } from '../support/database.ts';
import { smtpFault, tokenFromEmail, waitForEmail } from '../support/mailbox.ts';
import { expectOutboxRow } from '../support/outbox.ts';
import {
  givenApiKey,
  givenShareLink,
  givenSlots,
  givenStudent,
  givenTeacher,
  portalClient,
  signedInAs,
  type GivenTeacher,
} from '../support/scenario.ts';
import { uniqueEmail, uniqueIp } from '../support/stack.ts';
import { hoursFromNow } from '../support/time.ts';
import { until } from '../support/until.ts';
import { resendBounce, svixHeaders } from '../support/webhooks.ts';
import { arriveAtSlotcast, person, signInAtSchool, start } from './school.ts';
import { refusal } from '../support/refusal.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A tab (a control character; HTTP refuses CR and LF themselves) and more than the 200 characters kept. */
const USER_AGENT = `AuditBrowser/1.0 (test)\t\t=forged ${'x'.repeat(300)}`;

interface Story {
  teacher: GivenTeacher;
  /** The teacher's tab with a known address and a hostile user agent. */
  tab: TestClient;
  ada: { id: string; name: string; email: string; token: string; linkId: string };
  ben: { id: string; email: string };
  /** Every secret the story was handed, to look for in the trail. */
  secrets: string[];
  bookings: { canceled: string; moved: string; rescheduled: string; viaKey: string };
  keyId: string;
}

let story: Story;

/** The teacher's whole trail through the API, page by page. */
async function wholeTrail(client: TestClient, query = '', limit = 200): Promise<Json[]> {
  const entries: Json[] = [];
  let cursor = '';
  for (let page = 0; page < 100; page++) {
    const answer = await client.get(`/api/teacher/audit?limit=${limit}${query}${cursor && `&cursor=${cursor}`}`);
    expect(answer.status, answer.text).toBe(200);
    entries.push(...answer.body.entries);
    if (!answer.body.nextCursor) return entries;
    cursor = answer.body.nextCursor;
  }
  throw new Error('the trail never ended');
}

beforeAll(async () => {
  const teacher = await givenTeacher({ displayName: 'Ms Audit' });
  const tab = testClient({ cookie: teacher.cookie, ip: uniqueIp(), headers: { 'user-agent': USER_AGENT } });
  const secrets: string[] = [teacher.cookie.replace(/^slotcast_session=/, '')];

  // Settings and open times.
  expect((await tab.patch('/api/teacher/settings', { minNoticeMinutes: 90, bufferMinutes: 10 })).status).toBe(200);
  const [first, second, third, fourth, spare] = await givenSlots({ api: tab }, 5, 72);
  expect((await tab.post('/api/teacher/slots/cancel', { slotIds: [spare] })).status).toBe(200);

  // Students: Ada books through her link; Ben's address refuses mail; a third has a name made to be a formula.
  const ada = await givenStudent({ api: tab }, { name: 'Ada Audit' });
  const regenerated = await givenShareLink({ api: tab }, ada.id);
  secrets.push(ada.token, regenerated.token);
  const ben = await givenStudent({ api: tab }, { name: 'Ben Bounce' });
  secrets.push(ben.token);
  await givenStudent({ api: tab }, { name: '=HYPERLINK("http://evil.test","click")' });
  expect((await tab.post(`/api/teacher/students/${ben.id}/share-link/revoke`)).status).toBe(200);
  const benAgain = await givenShareLink({ api: tab }, ben.id);
  secrets.push(benAgain.token);
  await smtpFault({ mode: 'reject', count: 1, code: 550, to: ben.email });
  try {
    expect((await tab.post(`/api/teacher/students/${ben.id}/share-link/email`)).status).toBe(202);
    await expectOutboxRow(ben.email, { status: 'failed' }, { template: 'share-link' });
  } finally {
    await smtpFault({ mode: 'reject', count: 0 });
  }

  // Ada opens her calendar (a view), books three sessions (the first makes her account), cancels one,
  // reschedules one; the teacher moves the third and, after it, records its outcome.
  const portal = portalClient(regenerated.token);
  expect((await portal.calendar()).status).toBe(200);
  const booked = [];
  for (const slot of [first, second, third]) {
    const answer = await portal.book(slot!);
    expect(answer.status, answer.text).toBe(201);
    booked.push(answer.body.booking.id as string);
  }
  expect((await portal.cancel(booked[0]!)).status).toBe(200);
  const rescheduled = await portal.api.post(`/api/booking/${regenerated.token}/reschedule/${booked[1]}`, {
    slotId: fourth,
  });
  expect(rescheduled.status, rescheduled.text).toBe(200);
  const moveTo = (await givenSlots({ api: tab }, 1, 200))[0]!;
  const moved = await tab.post(`/api/teacher/bookings/${booked[2]}/move`, { slotId: moveTo });
  expect(moved.status, moved.text).toBe(200);
  const movedTo = moved.body.booking.id as string;
  const [movedSlot] = await db().select().from(schema.slots).where(eq(schema.slots.id, moveTo));
  const outcome = await tab.at(movedSlot!.endsAt + HOUR).post(`/api/teacher/bookings/${movedTo}/outcome`, {
    outcome: 'completed',
  });
  expect(outcome.status, outcome.text).toBe(200);

  // Ada's confirmation went out (email sent), then bounced as the provider reports.
  const confirmation = await expectOutboxRow(ada.email, { status: 'sent' }, { template: 'booking-confirmation' });
  const bounce = JSON.stringify(resendBounce(confirmation.providerMessageId!, ada.email));
  expect(
    (
      await testClient({ origin: null, ip: uniqueIp() }).request('POST', '/api/webhooks/resend', {
        body: bounce,
        headers: svixHeaders(bounce),
      })
    ).status,
  ).toBe(200);

  // Ada, signed in, changes her availability (shared with this teacher by her first booking).
  const [adaUser] = await db().select().from(schema.users).where(eq(schema.users.email, ada.email));
  const adaTab = await signedInAs(adaUser!.id);
  const availability = { timeZone: 'Europe/Rome', weeklyRanges: [{ day: 2, start: '10:00', end: '12:00' }] };
  expect((await adaTab.post('/api/student/availability', availability)).status).toBe(200);

  // An API key books for a new student, then is revoked.
  const key = await givenApiKey({ api: tab }, 'Website form');
  secrets.push(key.secret);
  const viaKey = await key.confirm({
    email: uniqueEmail('keyed'),
    name: 'Kay Keyed',
    start: hoursFromNow(300),
    externalId: crypto.randomUUID(),
  });
  expect(viaKey.status, viaKey.text).toBe(201);
  expect((await tab.post(`/api/teacher/api-keys/${key.id}/revoke`)).status).toBe(200);

  // The teacher signs in with an emailed link, and the link is tried again.
  const signInIp = uniqueIp();
  expect((await testClient({ ip: signInIp }).post('/api/auth/magic-link', { email: teacher.email })).status).toBe(202);
  const linkToken = tokenFromEmail(await waitForEmail(teacher.email, { subjectIncludes: 'sign-in link' }));
  secrets.push(linkToken);
  const signedIn = await testClient({ ip: signInIp }).post('/api/auth/magic-link/verify', { token: linkToken });
  expect(signedIn.status).toBe(200);
  secrets.push(/slotcast_session=([^;]+)/.exec(signedIn.headers.get('set-cookie') ?? '')![1]!);
  expect((await testClient({ ip: signInIp }).post('/api/auth/magic-link/verify', { token: linkToken })).status).toBe(
    410,
  );

  story = {
    teacher,
    tab,
    ada: { id: ada.id, name: 'Ada Audit', email: ada.email, token: regenerated.token, linkId: regenerated.linkId },
    ben: { id: ben.id, email: ben.email },
    secrets,
    bookings: { canceled: booked[0]!, rescheduled: booked[1]!, moved: booked[2]!, viaKey: viaKey.body.booking.id },
    keyId: key.id,
  };
}, 180_000);

/** What each action's entry must say: the actor's kind, whether it names Ada, and what else to check. */
const EXPECTED: [action: string, actor: string, aboutAda: boolean, check?: (entry: Json) => void][] = [
  [
    'settings.changed',
    'teacher',
    false,
    (e) => {
      expect(Object.keys(e.changes).sort()).toEqual(['bufferMinutes', 'minNoticeMinutes']);
      expect(e.changes.minNoticeMinutes).toEqual({ from: expect.any(Number), to: 90 });
      expect(e.changes.minNoticeMinutes.from).not.toBe(90);
      expect(e.changes.bufferMinutes.to).toBe(10);
    },
  ],
  ['slots.created', 'teacher', false],
  ['slots.canceled', 'teacher', false, (e) => expect(e.details.count).toBe(1)],
  ['student.added', 'teacher', false],
  ['share_link.created', 'teacher', true],
  ['share_link.regenerated', 'teacher', true],
  ['share_link.revoked', 'teacher', false],
  ['share_link.emailed', 'teacher', false],
  ['email.failed', 'system', false, (e) => expect(e.details.reason).toMatch(/550/)],
  ['share_link.accessed', 'share_link', true, (e) => expect(e.actor.name).toBe('Ada Audit’s link')],
  ['booking.created', 'share_link', true],
  ['account.created', 'share_link', true, (e) => expect(e.details.via).toBe('booking')],
  [
    'booking.canceled',
    'share_link',
    true,
    (e) => expect(e.changes.status).toEqual({ from: 'scheduled', to: 'canceled' }),
  ],
  [
    'booking.rescheduled',
    'share_link',
    true,
    (e) => expect(e.changes.startsAt.to).toBeGreaterThan(e.changes.startsAt.from),
  ],
  ['booking.moved', 'teacher', true],
  [
    'booking.outcome_recorded',
    'teacher',
    true,
    (e) => expect(e.changes.outcome).toEqual({ from: null, to: 'completed' }),
  ],
  ['email.sent', 'system', true, (e) => expect(e.details.template).toEqual(expect.any(String))],
  ['email.bounced', 'system', true, (e) => expect(e.changes.status).toEqual({ from: 'sent', to: 'bounced' })],
  [
    'availability.updated',
    'student',
    true,
    (e) => expect(e.changes.timeZone).toEqual({ from: null, to: 'Europe/Rome' }),
  ],
  ['api_key.created', 'teacher', false],
  ['api_key.revoked', 'teacher', false],
  ['auth.link_requested', 'anonymous', false],
  ['auth.signed_in', 'teacher', false, (e) => expect(e.details.method).toBe('magic_link')],
  ['auth.sign_in_failed', 'anonymous', false, (e) => expect(e.details.reason).toBe('used')],
];

describe('every action is in the teacher’s trail', () => {
  let trail: Json[];
  beforeAll(async () => {
    // Views are counted after the answer (waitUntil); wait for Ada's to land.
    trail = await until(
      () => wholeTrail(story.tab),
      (entries) => entries.some((e) => e.action === 'share_link.accessed'),
    );
  });

  for (const [action, actor, aboutAda, check] of EXPECTED) {
    it(`${action}: by a ${actor}${aboutAda ? ', about Ada' : ''}`, () => {
      const entries = trail.filter((e) => e.action === action);
      expect(entries.length, `${action} in ${trail.map((e) => e.action).join(', ')}`).toBeGreaterThan(0);
      const entry = aboutAda ? entries.find((e) => e.student?.id === story.ada.id) : entries[0];
      expect(entry, `${action} about Ada`).toBeDefined();
      expect(entry.actor.kind).toBe(actor);
      expect(entry.at).toEqual(expect.any(Number));
      if (aboutAda) expect(entry.student).toEqual({ id: story.ada.id, name: 'Ada Audit' });
      check?.(entry);
    });
  }

  it('says where a request came from: a hashed address and the user agent without its control characters', () => {
    const settings = trail.find((e) => e.action === 'settings.changed');
    expect(settings.ipHash).toMatch(/^[0-9a-f]{32}$/);
    expect(settings.userAgent).toBe(`AuditBrowser/1.0 (test) =forged ${'x'.repeat(300)}`.slice(0, 200));
    const sent = trail.find((e) => e.action === 'email.sent');
    expect(sent.ipHash).toBeNull();
  });

  it('names the API key that booked, and the booking as made by it', () => {
    const entry = trail.find((e) => e.action === 'booking.created' && e.target.id === story.bookings.viaKey);
    expect(entry.actor).toEqual({ kind: 'api_key', id: story.keyId, name: 'Website form' });
    expect(entry.student.name).toBe('Kay Keyed');
  });

  it('pages newest first by a stable key: small pages add up to the whole trail, none twice', async () => {
    const paged = await wholeTrail(story.tab, '', 3);
    expect(paged.map((e) => e.id)).toEqual(trail.map((e) => e.id));
    expect(new Set(paged.map((e) => e.id)).size).toBe(paged.length);
    const times = paged.map((e) => e.at);
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('filters by action, by student and by period', async () => {
    const canceled = await wholeTrail(story.tab, '&action=booking.canceled');
    expect(canceled.map((e) => e.target.id)).toEqual([story.bookings.canceled]);
    const views = await wholeTrail(story.tab, '&action=share_link.accessed');
    expect(views.every((e) => e.action === 'share_link.accessed')).toBe(true);
    const adas = await wholeTrail(story.tab, `&studentId=${story.ada.id}`);
    expect(adas.length).toBeGreaterThan(5);
    expect(adas.every((e) => e.student?.id === story.ada.id)).toBe(true);
    const newest = trail[0].at;
    const lastOnly = await wholeTrail(story.tab, `&from=${newest}&to=${newest + 1}`);
    expect(lastOnly.length).toBeGreaterThan(0);
    expect(lastOnly.every((e) => e.at === newest)).toBe(true);
  });

  it('answers bad filters with a 400 that says what is wrong', async () => {
    const cases: [string, RegExp][] = [
      ['action=booking.exploded', /actions the audit page lists/],
      ['studentId=42', /studentId/],
      ['from=yesterday', /milliseconds/],
      ['from=2000&to=1000', /after its start/],
      ['cursor=abc', /page link is not valid/],
      ['limit=0', /at least 1/],
      ['teacherId=someone-else', /fields Slotcast does not know/],
    ];
    for (const [query, message] of cases) {
      const answer = await story.tab.get(`/api/teacher/audit?${query}`);
      expect(answer.status, query).toBe(400);
      expect(refusal(answer.body.error), query).toMatch(message);
    }
    expect((await story.tab.get('/api/teacher/audit.csv?action=nope')).status).toBe(400);
  });

  it('shows another teacher none of it', async () => {
    const other = await givenTeacher();
    const theirs = await wholeTrail(other.api);
    const mine = new Set(trail.map((e) => e.id));
    expect(theirs.filter((e) => mine.has(e.id))).toEqual([]);
    expect((await wholeTrail(other.api, `&studentId=${story.ada.id}`)).length).toBe(0);
    const csv = await other.api.get('/api/teacher/audit.csv');
    expect(csv.text).not.toContain(story.ada.id);
    expect(csv.text).not.toContain('Ada Audit');
  });

  it('exports the same entries as CSV, quoted, with formulas defused, parsed back by a CSV parser', async () => {
    const answer = await story.tab.get('/api/teacher/audit.csv');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(answer.headers.get('content-disposition')).toMatch(/attachment/);
    const rows: Record<string, string>[] = parse(answer.text, { columns: true, skip_empty_lines: true });
    // Entries may have arrived since the trail was read (views, emails): the CSV holds at least all of them.
    const byId = new Map(rows.map((r) => [`${r.actor_id}${r.target_id}${r.time_utc}${r.action}`, r]));
    for (const entry of trail)
      expect(
        byId.has(`${entry.actor.id ?? ''}${entry.target.id ?? ''}${new Date(entry.at).toISOString()}${entry.action}`),
      ).toBe(true);
    const settings = rows.find((r) => r.action === 'settings.changed')!;
    expect(JSON.parse(settings.changes!)).toMatchObject({ minNoticeMinutes: { to: 90 }, bufferMinutes: { to: 10 } });
    const formula = rows.find((r) => r.action === 'student.added' && r.details!.includes('HYPERLINK'))!;
    expect(formula.student).toBe('\'=HYPERLINK("http://evil.test","click")');
    for (const row of rows)
      for (const cell of Object.values(row)) expect(cell, JSON.stringify(row)).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('holds no token, link or session anywhere: API, CSV, or the rows themselves', async () => {
    const csv = (await story.tab.get('/api/teacher/audit.csv')).text;
    const rows = await db().select().from(schema.auditLog).where(eq(schema.auditLog.teacherId, story.teacher.id));
    const stored = JSON.stringify(rows);
    expect(rows.length).toBeGreaterThan(10);
    for (const secret of story.secrets) {
      for (const [where, text] of [
        ['API', JSON.stringify(trail)],
        ['CSV', csv],
        ['database', stored],
      ] as const) {
        expect(text.includes(secret), `a secret (${secret.slice(0, 4)}…) in the ${where}`).toBe(false);
        expect(text.includes(secret.slice(0, 16)), `the start of a secret in the ${where}`).toBe(false);
      }
    }
  });
});

describe('entries outside any teacher’s trail', () => {
  it('a sign-up through a provider makes an account and a sign-in in the new teacher’s trail', async () => {
    const who = person();
    const email = uniqueEmail('provider-teacher');
    const location = await arriveAtSlotcast(who, await signInAtSchool(who, await start(who), { email }));
    expect(location).toBe('/teacher');
    const trail = await wholeTrail(who.app);
    expect(trail.map((e) => e.action).sort()).toEqual(['account.created', 'auth.oauth_linked', 'auth.signed_in']);
    expect(trail.find((e) => e.action === 'auth.signed_in').details).toMatchObject({
      method: 'oauth',
      provider: 'school',
    });
  });

  it('a failed provider sign-in is recorded for nobody’s trail, without the state it was handed', async () => {
    const who = person();
    const state = `forged-state-${crypto.randomUUID()}`;
    const before = Date.now();
    const answer = await who.app.get(`/api/auth/oauth/school/callback?state=${state}&code=forged-code`);
    expect(answer.status).toBe(303);
    const rows = await db()
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.action, 'auth.oauth_failed'), isNull(schema.auditLog.teacherId)));
    const mine = rows.filter((r) => r.at >= before - 1000 && JSON.stringify(r).includes('no flow cookie'));
    expect(mine.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(state);
    expect(JSON.stringify(rows)).not.toContain('forged-code');
  });
});

describe('retention', () => {
  it('the cron job purges entries older than 400 days at its scheduled time and keeps younger ones', async () => {
    const teacher = await givenTeacher();
    // A used sign-in link tried again at chosen instants: each try is an entry in this teacher's trail.
    const ip = uniqueIp();
    await testClient({ ip }).post('/api/auth/magic-link', { email: teacher.email });
    const token = tokenFromEmail(await waitForEmail(teacher.email, { subjectIncludes: 'sign-in link' }));
    expect((await testClient({ ip }).post('/api/auth/magic-link/verify', { token })).status).toBe(200);
    const now = Date.now();
    for (const age of [401 * DAY, 399 * DAY])
      expect((await testClient({ ip, now: now - age }).post('/api/auth/magic-link/verify', { token })).status).toBe(
        410,
      );
    const failedAt = async () =>
      (
        await db()
          .select({ at: schema.auditLog.at })
          .from(schema.auditLog)
          .where(and(eq(schema.auditLog.teacherId, teacher.id), eq(schema.auditLog.action, 'auth.sign_in_failed')))
      ).map((r) => now - r.at);
    expect((await failedAt()).sort()).toEqual([399 * DAY, 401 * DAY]);

    await runCron({ at: now });
    expect(await failedAt()).toEqual([399 * DAY]);
  });
});
