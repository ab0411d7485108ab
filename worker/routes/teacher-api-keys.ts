/** A teacher's API keys: made (the key is shown once), listed (by name and first characters) and revoked. */
import { Hono } from 'hono';
import { and, count, desc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { apiKeys } from '../../db/schema.ts';
import { apiKeyView, MAX_ACTIVE_KEYS, newApiKey } from '../api-keys/keys.ts';
import { auditStatement } from '../audit.ts';
import { newId } from '../crypto/random.ts';
import { getDb } from '../db.ts';
import { DomainError, notFound } from '../errors.ts';
import { currentTeacher, requireTeacher } from '../auth/guard.ts';
import { clientIp } from '../http/rate-limit.ts';
import type { AppEnv } from '../http/types.ts';
import { validate } from '../http/validate.ts';
import { singleLineText } from '../http/text.ts';

const createSchema = z
  .object({
    name: singleLineText({ max: 60, noun: 'Names', tooLong: 'Keep the name under 60 characters.' }).min(
      1,
      'Name the key after what uses it, e.g. "Website form".',
    ),
  })
  .strict();
const idParam = z.object({ id: z.uuid({ message: 'No such key.' }) });

export const teacherApiKeyRoutes = new Hono<AppEnv>()
  .use(requireTeacher)
  .get('/', async (c) => {
    const teacher = currentTeacher(c);
    const rows = await getDb(c.env)
      .select()
      .from(apiKeys)
      .where(eq(apiKeys.teacherId, teacher.id))
      .orderBy(desc(apiKeys.createdAt))
      .limit(100);
    return c.json({ keys: rows.map(apiKeyView) });
  })

  .post('/', validate('json', createSchema), async (c) => {
    const teacher = currentTeacher(c);
    const db = getDb(c.env);
    const now = c.get('now');
    const [active] = await db
      .select({ n: count() })
      .from(apiKeys)
      .where(and(eq(apiKeys.teacherId, teacher.id), isNull(apiKeys.revokedAt)));
    if ((active?.n ?? 0) >= MAX_ACTIVE_KEYS)
      throw new DomainError(
        'too_many_keys',
        409,
        `You can have ${MAX_ACTIVE_KEYS} keys at once. Revoke one you no longer use first.`,
      );
    const { secret, hash, prefix } = newApiKey();
    const row = {
      id: newId(),
      teacherId: teacher.id,
      name: c.req.valid('json').name,
      keyHash: hash,
      prefix,
      lastUsedAt: null,
      revokedAt: null,
      createdAt: now,
    };
    const audit = auditStatement(
      db,
      c.env,
      {
        actorType: 'teacher',
        actorId: teacher.id,
        teacherId: teacher.id,
        action: 'api_key.created',
        targetType: 'api_key',
        targetId: row.id,
        ip: clientIp(c.req),
        userAgent: c.req.header('user-agent'),
        details: { name: row.name },
      },
      now,
    );
    await db.batch([db.insert(apiKeys).values(row), audit]);
    // The only time the whole key leaves the server.
    return c.json({ key: apiKeyView(row), secret }, 201);
  })

  .post('/:id/revoke', validate('param', idParam), async (c) => {
    const teacher = currentTeacher(c);
    const db = getDb(c.env);
    const now = c.get('now');
    const { id } = c.req.valid('param');
    const audit = auditStatement(
      db,
      c.env,
      {
        actorType: 'teacher',
        actorId: teacher.id,
        teacherId: teacher.id,
        action: 'api_key.revoked',
        targetType: 'api_key',
        targetId: id,
        ip: clientIp(c.req),
        userAgent: c.req.header('user-agent'),
      },
      now,
    );
    // Scoped to the teacher: another teacher's key id is simply not found. Revoking twice keeps the first time.
    const [revoked] = await db
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(and(eq(apiKeys.id, id), eq(apiKeys.teacherId, teacher.id), isNull(apiKeys.revokedAt)))
      .returning();
    if (revoked) {
      await audit;
      return c.json({ key: apiKeyView(revoked) });
    }
    const [existing] = await db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.id, id), eq(apiKeys.teacherId, teacher.id)));
    if (!existing) throw notFound('No such key.');
    return c.json({ key: apiKeyView(existing) });
  });
