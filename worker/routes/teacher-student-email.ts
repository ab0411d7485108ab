/** A student's address when emails to it don't arrive: correct it (or keep it) and send the confirmation again. */
import { Hono } from 'hono';
import { z } from 'zod';
import { currentTeacher, requireTeacher } from '../auth/guard.ts';
import { getDb } from '../db.ts';
import { clientIp, enforceRateLimit } from '../http/rate-limit.ts';
import type { AppEnv } from '../http/types.ts';
import { emailSchema, validate } from '../http/validate.ts';
import { correctAndResendConfirmation } from '../students/email-problems.ts';
import { idParam } from './teacher-students.ts';

export const teacherStudentEmailRoutes = new Hono<AppEnv>()
  .use(requireTeacher)
  .post(
    '/:id/resend-confirmation',
    validate('param', idParam),
    validate('json', z.object({ email: emailSchema.optional() }).strict()),
    async (c) => {
      const teacher = currentTeacher(c);
      await enforceRateLimit(c.env.RL_TEACHER_EMAIL, `teacher:${teacher.id}`, 'emails sent again');
      const sent = await correctAndResendConfirmation(
        c.env,
        getDb(c.env),
        teacher,
        {
          studentId: c.req.valid('param').id,
          email: c.req.valid('json').email,
          ip: clientIp(c.req),
          userAgent: c.req.header('user-agent'),
        },
        c.get('now'),
      );
      return c.json({ ok: true, message: `The confirmation is on its way to ${sent.recipient}.` }, 202);
    },
  );
