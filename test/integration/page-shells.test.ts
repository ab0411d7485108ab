/**
 * How the Worker serves the app's pages (DESIGN.md, "How pages load fast"): each route's own prerendered shell,
 * whose HTML names the page's scripts so the browser fetches them with the app's entry; one shell for every
 * portal link, under the link's own address; the single-page fallback for anything else; and the build's
 * hashed files cached for good and compressed.
 */
import { describe, expect, it } from 'vitest';
import { appUrl } from '../support/stack.ts';

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${appUrl()}${path}`, { headers, redirect: 'manual' });

/** The route nodes a page's HTML preloads (`nodes/<n>.<hash>.js`), by number. */
async function preloadedNodes(path: string): Promise<{ status: number; nodes: string[]; html: string }> {
  const response = await get(path);
  const html = await response.text();
  const nodes = [...html.matchAll(/href="[./]*_app\/immutable\/nodes\/(\d+)\.[^"]+\.js" rel="modulepreload"/g)];
  return { status: response.status, nodes: nodes.map((m) => m[1]!).sort(), html };
}

describe('page shells', () => {
  it('name each page’s own scripts, beside the root layout and error page', async () => {
    const week = await preloadedNodes('/teacher');
    const audit = await preloadedNodes('/teacher/audit?from=2026-01-01');
    const dashboard = await preloadedNodes('/student');
    for (const page of [week, audit, dashboard]) {
      expect(page.status).toBe(200);
      // 0: the root layout, 1: the root error page, then the area's layout and the page.
      expect(page.nodes).toEqual(expect.arrayContaining(['0', '1']));
      expect(page.nodes.length).toBeGreaterThan(2);
    }
    expect(week.nodes).not.toEqual(audit.nodes);
  });

  it('serve every portal link the one portal shell, at the link’s own address', async () => {
    const portal = await preloadedNodes('/book/some-teacher/some-token');
    const other = await preloadedNodes('/book/another-teacher/another-token?week=2026-11-30');
    expect(portal.status).toBe(200);
    expect(portal.nodes.length).toBeGreaterThan(2);
    expect(other.nodes).toEqual(portal.nodes);
  });

  it('fall back to the single-page app for any other address', async () => {
    const unknown = await preloadedNodes('/no-such-page');
    expect(unknown.status).toBe(200);
    expect(unknown.nodes).toEqual(['0', '1']);
  });

  it('load hashed files cached for a year and compressed', async () => {
    const { html } = await preloadedNodes('/teacher');
    const script = /href="[./]*(_app\/immutable\/[^"]+\.js)"/.exec(html)![1]!;
    const response = await get(`/${script}`, { 'accept-encoding': 'gzip, br' });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toContain('immutable');
    expect(response.headers.get('cache-control')).toContain('max-age=31536000');
    expect(response.headers.get('content-encoding')).toMatch(/gzip|br/);
  });
});
