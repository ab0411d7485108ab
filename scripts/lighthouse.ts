/**
 * `npm run lighthouse`: Lighthouse (mobile, the CLI's default) on every page, against a fresh local stack: a
 * signed-in teacher with a week of slots, the booking portal, and a signed-in student with a booked session.
 * Each page is scored three times (SLOTCAST_LH_RUNS) and judged by Lighthouse's own median run; prints one JSON
 * line per page and fails when the median is under 95 or Chrome did not run (Lighthouse itself exits 0 then).
 * Name pages as arguments to run only those.
 *
 * Chromium runs with Lighthouse's launcher flags, as a bare `lighthouse` command does. Headless, they can hold a
 * page's first frame back by whole seconds (see DESIGN.md, "How pages load fast"): every line says in how many
 * runs that happened (`frame_held`), and SLOTCAST_LH_RENDER_DOCUMENT=1 turns Chromium's RenderDocument back on,
 * which avoids it, to tell the browser's hold from the page's own slowness.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import * as schema from '../db/schema.ts';
import { eq } from 'drizzle-orm';
import { createSessionFor, createTeacherSession } from '../test/support/teacher-session.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/support/browser.ts';
import { freePort, ROOT, startStack } from './stack.ts';
import { maskPath } from '../worker/log/mask.ts';
// Lighthouse's own pick of a representative run (closest to the median first paint and time to interactive).
import { computeMedianRun } from 'lighthouse/core/lib/median-run.js';
import { Launcher } from 'chrome-launcher';

const MIN_SCORE = 95;
const RUNS = Math.max(1, Number(process.env.SLOTCAST_LH_RUNS ?? 3));
const CHROME_FLAGS = [
  ...CHROMIUM_ARGS,
  ...(process.env.SLOTCAST_LH_RENDER_DOCUMENT === '1' ? [launcherDisabledFeaturesBut('RenderDocument')] : []),
].join(' ');
/**
 * Lighthouse's launcher switches Chromium features off (background services, and RenderDocument, a new
 * renderer document per navigation, which Chromium ships on). Chromium keeps only the last
 * `--disable-features` switch, so this one repeats the launcher's list without `keep`.
 */
function launcherDisabledFeaturesBut(keep: string): string {
  const switchName = '--disable-features=';
  const defaults = Launcher.defaultFlags().find((flag) => flag.startsWith(switchName)) ?? switchName;
  const features = defaults.slice(switchName.length).split(',');
  return switchName + features.filter((feature) => feature && feature !== keep).join(',');
}
/**
 * A run whose first paint came this late (unthrottled, on loopback) had its frames held back by the browser:
 * every page here paints within about 0.8 s when it doesn't.
 */
const HELD_FIRST_PAINT_MS = 1500;

type Report = {
  runtimeError?: { message: string };
  finalDisplayedUrl: string;
  categories: Record<string, { score: number | null }>;
  audits: Record<string, { numericValue?: number; details?: { items?: { observedFirstContentfulPaint?: number }[] } }>;
};
/** `npm run lighthouse -- teacher-analytics portal` runs only the pages named. */
const only = process.argv.slice(2);
const stack = await startStack({
  dataDir: mkdtempSync(join(tmpdir(), 'slotcast-lh-')),
  fresh: true,
  quiet: true,
  port: await freePort(),
  build: true,
});
let failed = false;
try {
  const teacher = await createTeacherSession(drizzle(createClient({ url: stack.dbUrl }), { schema }));
  const headers = { origin: stack.appUrl, cookie: teacher.cookie, 'content-type': 'application/json' };
  const today = new Date().toISOString().slice(0, 10);
  const nextWeek = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  await fetch(`${stack.appUrl}/api/teacher/slots/recurring`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      days: [1, 2, 3, 4, 5, 6, 7],
      startTime: '10:00',
      lengthMinutes: 60,
      from: today,
      until: nextWeek,
      subject: 'Algebra',
    }),
  });
  const added = (await (
    await fetch(`${stack.appUrl}/api/teacher/students`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'Ada Lin', email: 'ada@example.test' }),
    })
  ).json()) as { student: { id: string } };
  const linked = (await (
    await fetch(`${stack.appUrl}/api/teacher/students/${added.student.id}/share-link`, {
      method: 'POST',
      headers,
      body: '{}',
    })
  ).json()) as { link: { url: string } };
  const portalPath = new URL(linked.link.url).pathname;
  // A student with an account, a booked session and saved availability, for the dashboard.
  const token = portalPath.split('/').at(-1)!;
  const calendar = (await (await fetch(`${stack.appUrl}/api/booking/${token}/calendar`)).json()) as {
    slots: { id: string; bookable: boolean }[];
  };
  const bookable = calendar.slots.find((slot) => slot.bookable);
  if (!bookable) throw new Error('No bookable slot for the dashboard page.');
  await fetch(`${stack.appUrl}/api/booking/${token}/book`, {
    method: 'POST',
    headers: { origin: stack.appUrl, 'content-type': 'application/json' },
    body: JSON.stringify({ slotId: bookable.id }),
  });
  const database = drizzle(createClient({ url: stack.dbUrl }), { schema });
  const [student] = await database.select().from(schema.users).where(eq(schema.users.email, 'ada@example.test'));
  const studentCookie = await createSessionFor(database, student!.id);
  await fetch(`${stack.appUrl}/api/student/availability`, {
    method: 'POST',
    headers: { origin: stack.appUrl, cookie: studentCookie, 'content-type': 'application/json' },
    body: JSON.stringify({
      timeZone: 'Europe/Berlin',
      weeklyRanges: [{ day: 2, start: '16:00', end: '18:00' }],
      notes: 'After school',
    }),
  });
  // The students panel is scored with 200 students, each with a link (issue 12).
  const [firstStudent, ...moreStudents] = Array.from({ length: 199 }, (_, i) =>
    database.insert(schema.students).values({
      id: crypto.randomUUID(),
      teacherId: teacher.id,
      name: `Student ${String(i + 1).padStart(3, '0')}`,
      email: `student-${i + 1}@example.test`,
      color: '#1d4ed8',
      createdAt: Date.now(),
      updatedAt: Date.now(),
    }),
  );
  await database.batch([firstStudent!, ...moreStudents]);
  await fetch(`${stack.appUrl}/api/teacher/students/share-links`, { method: 'POST', headers, body: '{}' });
  const outDir = join(ROOT, 'test-results', 'lighthouse');
  mkdirSync(outDir, { recursive: true });
  for (const [name, path, auth] of [
    ['landing', '/', false],
    ['login', '/login', false],
    ['teacher-week', '/teacher', true],
    ['teacher-bookings', '/teacher/bookings', true],
    ['teacher-settings', '/teacher/settings', true],
    ['teacher-students', '/teacher/students', true],
    ['teacher-audit', '/teacher/audit', true],
    ['teacher-analytics', '/teacher/analytics', true],
    ['teacher-health', '/teacher/health', true],
    ['portal', portalPath, false],
    ['student-dashboard', '/student', 'student'],
  ] as const) {
    // `npm run lighthouse -- teacher-audit portal` or SLOTCAST_LH_PAGES=teacher-audit,portal: only those pages.
    const named = only.length > 0 ? only : (process.env.SLOTCAST_LH_PAGES?.split(',') ?? []);
    if (named.length > 0 && !named.includes(name)) continue;
    const cookie = auth === false ? null : auth === 'student' ? studentCookie : teacher.cookie;
    const runs: Report[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const report = join(outDir, `${name}-${run}.json`);
      await runLighthouse(stack.appUrl + path, cookie, report);
      runs.push(JSON.parse(readFileSync(report, 'utf8')) as Report);
    }
    const errors = runs.flatMap((run) => (run.runtimeError ? [run.runtimeError.message] : []));
    const median = errors.length === 0 ? (computeMedianRun(runs as never) as unknown as Report) : runs[0]!;
    writeFileSync(join(outDir, `${name}.json`), JSON.stringify(median));
    const line = {
      page: name,
      path: maskPath(new URL(median.finalDisplayedUrl).pathname),
      performance: score(median, 'performance'),
      accessibility: score(median, 'accessibility'),
      best_practices: score(median, 'best-practices'),
      runs: runs.map((run) => ({
        performance: score(run, 'performance'),
        accessibility: score(run, 'accessibility'),
        first_paint_ms: Math.round(observedFirstPaint(run) ?? NaN),
      })),
      frame_held: runs.filter((run) => (observedFirstPaint(run) ?? 0) >= HELD_FIRST_PAINT_MS).length,
      render_document: process.env.SLOTCAST_LH_RENDER_DOCUMENT === '1',
      load_average: Number(loadavg()[0]!.toFixed(2)),
      error: errors[0] ?? null,
    };
    console.log(JSON.stringify(line));
    if (line.error || (line.performance ?? 0) < MIN_SCORE || (line.accessibility ?? 0) < MIN_SCORE) failed = true;
  }
} finally {
  await stack.stop();
}
process.exit(failed ? 1 : 0);

/** One Lighthouse run of `url`, its JSON report written to `reportPath`. */
async function runLighthouse(url: string, cookie: string | null, reportPath: string): Promise<void> {
  // Not spawnSync: the stack's libSQL server runs in this process, and a blocked event loop would leave every
  // page that reads the database waiting (Lighthouse then reports NO_FCP for the signed-in pages).
  const lighthouse = spawn(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'lighthouse', 'cli', 'index.js'),
      url,
      '--only-categories=performance,accessibility,best-practices',
      '--output=json',
      `--output-path=${reportPath}`,
      '--quiet',
      `--chrome-flags=${CHROME_FLAGS}`,
      ...(cookie ? [`--extra-headers=${JSON.stringify({ Cookie: cookie })}`] : []),
    ],
    { env: { ...process.env, CHROME_PATH: CHROMIUM_PATH }, stdio: 'inherit' },
  );
  await once(lighthouse, 'exit');
}

function score(report: Report, key: string): number | null {
  const value = report.categories[key]?.score;
  return value == null ? null : Math.round(value * 100);
}

/** When the page first painted in the unthrottled run Lighthouse observed (ms from navigation). */
function observedFirstPaint(report: Report): number | undefined {
  return report.audits.metrics?.details?.items?.[0]?.observedFirstContentfulPaint;
}
