/**
 * One new address, many first bookings at the same moment: through share links of several teachers and through
 * `POST /api/booking/confirm`. The account is made once, and exactly one of the bookings says so — in its email
 * ("We made you a Slotcast account"), its first-access link and its audit entry.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as schema from '../../db/schema.ts';
import { db } from '../support/database.ts';
import { waitForEmails } from '../support/mailbox.ts';
import { givenApiKey, givenSlots, givenTeacher, portalClient } from '../support/scenario.ts';
import { uniqueEmail } from '../support/stack.ts';
import { hoursFromNow } from '../support/time.ts';

const PORTAL_TEACHERS = 4;
const API_TEACHERS = 2;
const MADE_AN_ACCOUNT = 'We made you a Slotcast account';

/** A teacher who enrolled the address and gave it a share link, with one open slot. */
async function teacherWithLinkFor(email: string) {
  const teacher = await givenTeacher();
  const added = await teacher.api.post('/api/teacher/students', { name: 'Noor Haddad', email });
  expect(added.status).toBe(201);
  const link = await teacher.api.post(`/api/teacher/students/${added.body.student.id}/share-link`, {});
  expect(link.status).toBe(201);
  const [slotId] = await givenSlots(teacher, 1);
  return { token: (link.body.link.url as string).split('/').at(-1)!, slotId: slotId! };
}

describe('the first bookings of a new address, all at once', () => {
  it('make one account, and exactly one of them says so and sends the "we made you an account" email', async () => {
    const email = uniqueEmail('first-timer');
    const portals = await Promise.all(Array.from({ length: PORTAL_TEACHERS }, () => teacherWithLinkFor(email)));
    const apis = await Promise.all(Array.from({ length: API_TEACHERS }, async () => givenApiKey(await givenTeacher())));

    const [portalAnswers, apiAnswers] = await Promise.all([
      Promise.all(portals.map(({ token, slotId }) => portalClient(token).book(slotId))),
      Promise.all(
        apis.map((key, i) =>
          key.confirm({
            email,
            name: 'Noor Haddad',
            start: hoursFromNow(60 + i),
            lengthMinutes: 60,
            externalId: `form-${crypto.randomUUID()}`,
          }),
        ),
      ),
    ]);
    expect(portalAnswers.map((a) => a.status)).toEqual(Array(PORTAL_TEACHERS).fill(201));
    expect(apiAnswers.map((a) => a.status)).toEqual(Array(API_TEACHERS).fill(201));

    const accounts = await db().select().from(schema.users).where(eq(schema.users.email, email));
    expect(accounts).toHaveLength(1);
    const bookings = await db()
      .select({ id: schema.bookings.id })
      .from(schema.bookings)
      .where(eq(schema.bookings.studentUserId, accounts[0]!.id));
    expect(bookings).toHaveLength(PORTAL_TEACHERS + API_TEACHERS);
    // The account records the booking that made it, and that booking alone is told it did.
    expect(bookings.map((b) => b.id)).toContain(accounts[0]!.createdFromBookingId);

    const audits = await db()
      .select({ targetId: schema.auditLog.targetId, details: schema.auditLog.details })
      .from(schema.auditLog)
      .where(eq(schema.auditLog.action, 'booking.created'));
    const ours = audits.filter((a) => bookings.some((b) => b.id === a.targetId));
    expect(ours).toHaveLength(PORTAL_TEACHERS + API_TEACHERS);
    expect(ours.filter((a) => a.details?.newAccount === true).map((a) => a.targetId)).toEqual([
      accounts[0]!.createdFromBookingId,
    ]);
    expect(ours.filter((a) => a.details?.newAccount === false)).toHaveLength(PORTAL_TEACHERS + API_TEACHERS - 1);

    // The API's answer says nothing about the account either way: a teacher must not learn whether an address
    // already had one (DESIGN.md, "Who sees a student's availability").
    for (const answer of apiAnswers) expect(answer.body.booking).not.toHaveProperty('account');

    const firstAccess = await db()
      .select({ purpose: schema.loginTokens.purpose })
      .from(schema.loginTokens)
      .where(eq(schema.loginTokens.email, email));
    expect(firstAccess.filter((t) => t.purpose === 'first_access')).toHaveLength(1);
    expect(firstAccess.filter((t) => t.purpose === 'login')).toHaveLength(PORTAL_TEACHERS + API_TEACHERS - 1);

    const emails = await waitForEmails(email, PORTAL_TEACHERS + API_TEACHERS, { timeoutMs: 60_000 });
    expect(emails).toHaveLength(PORTAL_TEACHERS + API_TEACHERS);
    expect(emails.filter((m) => m.text.includes(MADE_AN_ACCOUNT))).toHaveLength(1);
  });
});
