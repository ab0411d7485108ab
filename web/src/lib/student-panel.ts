/**
 * The student panel's search, sort and filter: pure functions over the rows the API sent, so 200 students are
 * narrowed in the browser without another request, and the rules are unit-tested.
 */
export type PanelSort = 'name' | 'last_access' | 'next_session';
export type PanelFilter = 'all' | 'no_link' | 'expiring_soon' | 'inactive';

export interface PanelRowLike {
  name: string;
  email: string;
  link: { state: string; expiringSoon: boolean; lastAccessedAt: number | null } | null;
  lastVisitAt: number | null;
  nextSessionAt: number | null;
  inactive: boolean;
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** Lower-case, without accents, so "zoe" finds "Zoë". */
const folded = (text: string) =>
  text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();

export function matchesFilter(row: PanelRowLike, filter: PanelFilter): boolean {
  switch (filter) {
    case 'no_link':
      return row.link === null;
    case 'expiring_soon':
      return row.link?.expiringSoon ?? false;
    case 'inactive':
      return row.inactive;
    default:
      return true;
  }
}

/** Empty values (never visited, no session) go last whatever the order. */
function byOptional(a: number | null, b: number | null, direction: 1 | -1): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return (a - b) * direction;
}

const comparators: Record<PanelSort, (a: PanelRowLike, b: PanelRowLike) => number> = {
  name: (a, b) => collator.compare(a.name, b.name),
  // The most recent visit first.
  last_access: (a, b) => byOptional(a.lastVisitAt, b.lastVisitAt, -1) || collator.compare(a.name, b.name),
  // The soonest session first.
  next_session: (a, b) => byOptional(a.nextSessionAt, b.nextSessionAt, 1) || collator.compare(a.name, b.name),
};

/** The rows to show: those matching the search (name or email) and the filter, in the chosen order. */
export function panelView<T extends PanelRowLike>(
  rows: readonly T[],
  { search, sort, filter }: { search: string; sort: PanelSort; filter: PanelFilter },
): T[] {
  const query = folded(search.trim());
  return rows
    .filter(
      (row) => matchesFilter(row, filter) && (!query || folded(row.name).includes(query) || row.email.includes(query)),
    )
    .sort(comparators[sort]);
}
