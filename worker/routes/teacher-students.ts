/** A teacher's students: list, add, edit, remove. Their share links are in teacher-share-links.ts. */
import { Hono } from 'hono';
import { z } from 'zod';
import { currentTeacher, requireTeacher } from '../auth/guard.ts';
import { getDb } from '../db.ts';
import { enforceRateLimit } from '../http/rate-limit.ts';
import type { AppEnv } from '../http/types.ts';
import { singleLineText } from '../http/text.ts';
import { emailSchema, validate } from '../http/validate.ts';
import { isHexColor } from '../students/colors.ts';
import { flushLinkViews } from '../share-links/access.ts';
import { addStudent, listStudents, removeStudent, updateStudent } from '../students/roster.ts';

export const idParam = z.object({ id: z.uuid({ message: 'No such student.' }) });
const colorSchema = z
  .string()
  .refine(isHexColor, { message: 'Use a color like #1d4ed8.' })
  .transform((c) => c.toLowerCase());
const studentInput = z
  .object({
    name: singleLineText({ max: 80, noun: 'Names' }).min(1, 'Enter the student’s name.'),
    email: emailSchema,
    color: colorSchema.optional(),
  })
  .strict();

export const teacherStudentRoutes = new Hono<AppEnv>()
  .use(requireTeacher)

  .get('/', async (c) => {
    const teacher = currentTeacher(c);
    await enforceRateLimit(c.env.RL_PORTAL_READ, `teacher:${teacher.id}`, 'requests');
    // The list shows each link's views: write the ones waiting in the calendar object first.
    await flushLinkViews(c.env, teacher.id);
    const now = c.get('now');
    // `now` lets the panel judge "expiring soon" and "inactive" on the server's clock, not the browser's.
    return c.json({ now, students: await listStudents(c.env, getDb(c.env), teacher.id, now) });
  })

  .post('/', validate('json', studentInput), async (c) => {
    const student = await addStudent(c.env, getDb(c.env), currentTeacher(c), c.req.valid('json'), c.get('now'));
    return c.json({ student }, 201);
  })

  .patch('/:id', validate('param', idParam), validate('json', studentInput.partial().strict()), async (c) => {
    const student = await updateStudent(
      getDb(c.env),
      currentTeacher(c),
      c.req.valid('param').id,
      c.req.valid('json'),
      c.get('now'),
    );
    return c.json({ student });
  })

  .delete('/:id', validate('param', idParam), async (c) => {
    await removeStudent(c.env, getDb(c.env), currentTeacher(c), c.req.valid('param').id, c.get('now'));
    return c.body(null, 204);
  });
