import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { config } from './env.ts';
import { DomainError } from './errors.ts';
import { loadSession } from './auth/guard.ts';
import { checkOrigin, requestLog, useAuditClient, useClock } from './http/middleware.ts';
import type { AppEnv } from './http/types.ts';
import { describeForLog, maskPath } from './log/mask.ts';
import { measureRequest } from './metrics/middleware.ts';
import { clientIp, enforceRateLimit } from './http/rate-limit.ts';
import { authRoutes } from './routes/auth.ts';
import { oauthRoutes } from './routes/oauth.ts';
import { admitLiveUpgrade, liveRoutes } from './routes/live.ts';
import { teacherCalendarRoutes } from './routes/teacher-calendar.ts';
import { teacherSettingsRoutes } from './routes/teacher-settings.ts';
import { teacherShareLinkRoutes } from './routes/teacher-share-links.ts';
import { teacherStudentRoutes } from './routes/teacher-students.ts';
import { bookingRoutes } from './routes/booking.ts';
import { bookingConfirmRoutes } from './routes/booking-confirm.ts';
import { teacherApiKeyRoutes } from './routes/teacher-api-keys.ts';
import { teacherBookingRoutes } from './routes/teacher-bookings.ts';
import { teacherAnalyticsRoutes } from './routes/teacher-analytics.ts';
import { studentRoutes } from './routes/student.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { operatorHealthRoutes, teacherHealthRoutes } from './routes/health.ts';
import { teacherStudentEmailRoutes } from './routes/teacher-student-email.ts';
import { teacherAuditRoutes } from './routes/teacher-audit.ts';

const api = new Hono<AppEnv>()
  .use(requestLog)
  .use(useClock)
  .use(useAuditClient)
  .use(measureRequest)
  .use(async (c, next) => {
    await next();
    // API answers are private and never cached; none of them may leak where they were asked from.
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Content-Type-Options', 'nosniff');
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
    // Browsers ignore HSTS over plain http, so a local http APP_URL gets none and loses nothing.
    if (config(c.env).APP_URL.startsWith('https://'))
      c.header('Strict-Transport-Security', 'max-age=63072000; includeSubDomains');
  })
  .use(checkOrigin)
  // Live upgrades are rate-limited before the session (or link) is looked up; one with a good ticket goes to
  // the calendar object from here, without a lookup (routes/live.ts).
  .use('/live/*', admitLiveUpgrade)
  .use(loadSession)
  .get(
    '/health',
    (c, next) => enforceRateLimit(c.env.RL_HEALTH, `ip:${clientIp(c.req)}`, 'health checks').then(next),
    (c) => c.json({ ok: true }),
  )
  .route('/auth', authRoutes)
  .route('/auth', oauthRoutes)
  .route('/teacher', teacherCalendarRoutes)
  .route('/teacher/settings', teacherSettingsRoutes)
  .route('/teacher/students', teacherStudentRoutes)
  .route('/teacher/students', teacherShareLinkRoutes)
  .route('/teacher/students', teacherStudentEmailRoutes)
  .route('/teacher/api-keys', teacherApiKeyRoutes)
  .route('/teacher/bookings', teacherBookingRoutes)
  .route('/teacher/analytics', teacherAnalyticsRoutes)
  .route('/teacher', teacherAuditRoutes)
  .route('/teacher/health', teacherHealthRoutes)
  .route('/operator/health', operatorHealthRoutes)
  .route('/booking/confirm', bookingConfirmRoutes)
  .route('/booking', bookingRoutes)
  .route('/student', studentRoutes)
  .route('/live', liveRoutes)
  .route('/webhooks', webhookRoutes);

export const app = new Hono<AppEnv>().route('/api', api);

app.notFound((c) => c.json({ error: { code: 'not_found', message: 'No such endpoint.' } }, 404));

app.onError((error, c) => {
  if (error instanceof DomainError) {
    for (const [name, value] of Object.entries(error.headers ?? {})) c.header(name, value);
    return c.json(
      { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } },
      error.status,
    );
  }
  if (error instanceof HTTPException && error.status < 500) {
    // Hono's own refusals (a body that isn't JSON, a broken header) carry developer text: say it for a person.
    const message = /json/i.test(error.message)
      ? 'The request body is not valid JSON.'
      : 'Slotcast could not read this request. Check what was sent and try again.';
    return c.json({ error: { code: 'bad_request', message } }, error.status);
  }
  console.error(JSON.stringify({ at: 'app.onError', path: maskPath(c.req.path), error: describeForLog(error) }));
  return c.json({ error: { code: 'internal', message: 'Something went wrong on our side. Please try again.' } }, 500);
});

export type AppType = typeof api;
