/**
 * The mail server going down is a fault of the whole stack, so this runs with the end-to-end tests, which run
 * alone after the rest: no other test's email is caught in the outage.
 */
import { describe, expect, it } from 'vitest';
import { smtpFault, waitForEmail } from '../support/mailbox.ts';
import { expectEmailCountTo, outboxRowsTo } from '../support/outbox.ts';
import { givenSlots, givenStudent, givenTeacher } from '../support/scenario.ts';
import { until } from '../support/until.ts';

describe('a mail outage', () => {
  it('keeps booking while the mail server is down, and delivers each email once when it is back', async () => {
    const teacher = await givenTeacher({ notifyOnBooking: false });
    const [slot] = await givenSlots(teacher, 1);
    const student = await givenStudent(teacher);
    await smtpFault({ mode: 'down' });
    try {
      const booked = await student.portal.book(slot!);
      expect(booked.status).toBe(201);
      // The first attempt failed and the row waits for its retry.
      const row = await until(
        async () => (await outboxRowsTo(student.email))[0],
        (r) => !!r && r.attempts >= 1 && r.status === 'queued',
        15_000,
      );
      expect(row).toMatchObject({ status: 'queued' });
      expect(row!.lastError).toBeTruthy();
    } finally {
      await smtpFault({ mode: 'up' });
    }
    await waitForEmail(student.email, { timeoutMs: 45_000 });
    // Once the outbox is settled nothing more can go out: exactly one email, from one row.
    await expectEmailCountTo(student.email, 1);
    const [sent] = await outboxRowsTo(student.email);
    expect(sent).toMatchObject({ status: 'sent' });
    expect(sent!.attempts).toBeGreaterThanOrEqual(2);
  }, 90_000);
});
