/**
 * The mail server going down is a fault of the whole stack, so this runs with the end-to-end tests, which run
 * alone after the rest: no other test's email is caught in the outage.
 */
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as schema from '../../db/schema.ts';
import {
  db,
  emailsTo,
  givenSlots,
  givenStudent,
  givenTeacher,
  mailboxUrl,
  waitForEmail,
} from '../integration/given.ts';

const fault = (body: unknown) => fetch(`${mailboxUrl()}/api/faults`, { method: 'POST', body: JSON.stringify(body) });

describe('a mail outage', () => {
  it('keeps booking while the mail server is down, and delivers each email once when it is back', async () => {
    const teacher = await givenTeacher({ notifyOnBooking: false });
    const [slot] = await givenSlots(teacher, 1);
    const student = await givenStudent(teacher);
    await fault({ mode: 'down' });
    try {
      const booked = await student.portal.book(slot!);
      expect(booked.status).toBe(201);
      const deadline = Date.now() + 15_000;
      let row;
      do {
        [row] = await db().select().from(schema.emailOutbox).where(eq(schema.emailOutbox.recipient, student.email));
        if (row && row.attempts >= 1 && row.status === 'queued') break;
        await new Promise((r) => setTimeout(r, 200));
      } while (Date.now() < deadline);
      expect(row).toMatchObject({ status: 'queued' });
      expect(row!.lastError).toBeTruthy();
    } finally {
      await fault({ mode: 'up' });
    }
    await waitForEmail(student.email, { timeoutMs: 45_000 });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await emailsTo(student.email)).toHaveLength(1);
    const [sent] = await db().select().from(schema.emailOutbox).where(eq(schema.emailOutbox.recipient, student.email));
    expect(sent).toMatchObject({ status: 'sent' });
    expect(sent!.attempts).toBeGreaterThanOrEqual(2);
  }, 90_000);
});
