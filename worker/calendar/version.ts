/**
 * A teacher's calendar version: every change bumps it in the change's own batch, and every read of the
 * calendar reads it in the same transaction, so live clients can order events and notice gaps (DESIGN.md).
 */
import { eq, sql } from 'drizzle-orm';
import { teachers } from '../../db/schema.ts';
import type { Db } from '../db.ts';
import { statementTemplate } from '../db-template.ts';

const bumpVersionOf = statementTemplate((db, p: { teacherId: string }) =>
  db
    .update(teachers)
    .set({ calendarVersion: sql`${teachers.calendarVersion} + 1` })
    .where(eq(teachers.id, p.teacherId))
    .returning({ version: teachers.calendarVersion }),
);

/** The statement to put in a change's batch; it returns the new version. */
export const bumpVersion = (db: Db, teacherId: string) => bumpVersionOf(db, { teacherId });

/** The statement to put in a read's batch. */
export const versionQuery = (db: Db, teacherId: string) =>
  db.select({ version: teachers.calendarVersion }).from(teachers).where(eq(teachers.id, teacherId));
