import { describe, expect, it } from 'vitest';
import { panelView, type PanelRowLike } from './student-panel.ts';

const row = (name: string, over: Partial<PanelRowLike> = {}): PanelRowLike => ({
  name,
  email: `${name.toLowerCase().replace(/\W+/g, '.')}@example.test`,
  link: { state: 'active', expiringSoon: false, lastAccessedAt: null },
  lastVisitAt: null,
  nextSessionAt: null,
  inactive: false,
  ...over,
});

const names = (rows: PanelRowLike[]) => rows.map((r) => r.name);
const all = { search: '', sort: 'name', filter: 'all' } as const;

describe('the student panel’s search, sort and filter', () => {
  const rows = [
    row('Zoë Park', { lastVisitAt: 5, nextSessionAt: 300 }),
    row('adam Ng', { link: null, inactive: true }),
    row('Student 10', { lastVisitAt: 9 }),
    row('Student 9', { nextSessionAt: 100, link: { state: 'active', expiringSoon: true, lastAccessedAt: 1 } }),
  ];

  it('sorts names as people read them: case-blind, numbers by value', () => {
    expect(names(panelView(rows, all))).toEqual(['adam Ng', 'Student 9', 'Student 10', 'Zoë Park']);
  });

  it('puts the latest visit first and the soonest session first, empty ones last', () => {
    expect(names(panelView(rows, { ...all, sort: 'last_access' }))).toEqual([
      'Student 10',
      'Zoë Park',
      'adam Ng',
      'Student 9',
    ]);
    expect(names(panelView(rows, { ...all, sort: 'next_session' }))).toEqual([
      'Student 9',
      'Zoë Park',
      'adam Ng',
      'Student 10',
    ]);
  });

  it('finds by name without accents or case, and by email', () => {
    expect(names(panelView(rows, { ...all, search: ' zoe ' }))).toEqual(['Zoë Park']);
    expect(names(panelView(rows, { ...all, search: 'adam.ng@' }))).toEqual(['adam Ng']);
    expect(panelView(rows, { ...all, search: 'nobody' })).toEqual([]);
  });

  it('filters students without a link, with a link expiring soon, and inactive ones', () => {
    expect(names(panelView(rows, { ...all, filter: 'no_link' }))).toEqual(['adam Ng']);
    expect(names(panelView(rows, { ...all, filter: 'expiring_soon' }))).toEqual(['Student 9']);
    expect(names(panelView(rows, { ...all, filter: 'inactive' }))).toEqual(['adam Ng']);
  });
});
