/**
 * The orders grid's state as it lives in the URL: filters (as typed), sort, page and page size.
 * Reading it never fails: a bad value becomes a message for its field, and the other filters
 * still apply. Links (sort, pages, chips) are built from the filters that were accepted, so a
 * click moves on from a typo instead of repeating it.
 */
import { ATTENTION_FILTERS, parseGridFilter, type GridFilterField, type GridFilterInput } from '../orders/grid-filter-input.ts';
import { DEFAULT_SORT, decodeCursor, SORTABLE_COLUMNS, type GridCursor, type OrderGridFilter, type OrderGridSort, type SortColumn } from '../orders/order-grid.ts';

export const PAGE_SIZES = [20, 50, 100, 200] as const;
export const DEFAULT_PAGE_SIZE = 20;

/** Query parameter of each text filter (statuses use the repeated parameter `status`). */
export const FILTER_PARAMS = ['from', 'to', 'orderNumber', 'buyer', 'min', 'max', 'attention'] as const;
type TextFilter = (typeof FILTER_PARAMS)[number];

export interface GridState {
  /** What the admin typed, shown back in the form (including values that were refused). */
  typed: Record<TextFilter, string> & { statuses: string[] };
  /** The accepted filters, as canonical text for links. */
  applied: GridFilterInput;
  filter: OrderGridFilter;
  errors: Partial<Record<GridFilterField, string>>;
  sort: OrderGridSort;
  page: number;
  pageSize: number;
  /** The page starts just after (or ends just before) this row: set by the pager's previous and next links. */
  after?: GridCursor;
  before?: GridCursor;
}

function positiveInt(value: string | null): number | null {
  return value !== null && /^[1-9]\d{0,8}$/.test(value.trim()) ? Number(value.trim()) : null;
}

/** `now` (the host's clock) places the ship-by filter's horizon. */
export function readGridState(storeId: number, query: URLSearchParams, now: Date = new Date()): GridState {
  const typed = {
    statuses: query.getAll('status'),
    ...(Object.fromEntries(FILTER_PARAMS.map((name) => [name, query.get(name) ?? ''])) as Record<TextFilter, string>),
  };
  const { filter, errors } = parseGridFilter(storeId, typed, now);
  const errorByField: GridState['errors'] = {};
  for (const error of errors) errorByField[error.field] ??= error.message;

  const applied: GridFilterInput = {};
  if (filter.statuses) applied.statuses = [...filter.statuses];
  for (const name of FILTER_PARAMS) {
    const value = typed[name].trim();
    if (value !== '' && errorByField[name] === undefined) applied[name] = value;
  }
  // Canonical in links: the filter's own value ("1", "blocked", ...).
  const attention = ATTENTION_FILTERS.find((f) => f.attention === filter.attention);
  if (attention) applied.attention = attention.value;
  else delete applied.attention;

  const column = query.get('sort') ?? '';
  const direction = query.get('dir');
  const sort: OrderGridSort =
    Object.hasOwn(SORTABLE_COLUMNS, column)
      ? { column: column as SortColumn, direction: direction === 'asc' || direction === 'desc' ? direction : 'asc' }
      : DEFAULT_SORT;
  const size = positiveInt(query.get('pageSize'));
  // A link carries one of the two; a cursor that does not read (edited, truncated) pages by offset.
  const after = query.has('before') ? null : decodeCursor(sort.column, query.get('after') ?? '');
  const before = query.has('after') ? null : decodeCursor(sort.column, query.get('before') ?? '');
  return {
    typed,
    applied,
    filter,
    errors: errorByField,
    sort,
    page: positiveInt(query.get('page')) ?? 1,
    pageSize: size !== null && (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_PAGE_SIZE,
    ...(after ? { after } : {}),
    ...(before ? { before } : {}),
  };
}

export interface GridLinkChange {
  applied?: GridFilterInput;
  sort?: OrderGridSort;
  page?: number;
  pageSize?: number;
  /** The encoded cursor of the row the page starts after or ends before (encodeCursor). */
  after?: string;
  before?: string;
}

/** The query string of the grid with some state changed; defaults are left out to keep URLs short. */
export function gridQuery(state: GridState, change: GridLinkChange = {}): URLSearchParams {
  const applied = change.applied ?? state.applied;
  const sort = change.sort ?? state.sort;
  const pageSize = change.pageSize ?? state.pageSize;
  // Any change other than the page itself starts again at page 1.
  const page = change.page ?? (change.applied || change.sort || change.pageSize ? 1 : state.page);
  const query = new URLSearchParams();
  for (const name of FILTER_PARAMS) {
    const value = applied[name];
    if (value !== undefined && value !== '') query.set(name, value);
  }
  for (const status of applied.statuses ?? []) query.append('status', status);
  if (sort.column !== DEFAULT_SORT.column || sort.direction !== DEFAULT_SORT.direction) {
    query.set('sort', sort.column);
    query.set('dir', sort.direction);
  }
  if (pageSize !== DEFAULT_PAGE_SIZE) query.set('pageSize', String(pageSize));
  if (page !== 1) query.set('page', String(page));
  if (change.after !== undefined) query.set('after', change.after);
  else if (change.before !== undefined) query.set('before', change.before);
  return query;
}

/** The accepted filters only (no sort or paging): what the dashboard's "All Orders" link carries over. */
export function filterQuery(state: GridState): URLSearchParams {
  return gridQuery(state, { applied: state.applied, sort: DEFAULT_SORT, pageSize: DEFAULT_PAGE_SIZE, page: 1 });
}

/** Filters and sort without paging: the CSV export is the whole filtered set in the grid's order. */
export function exportQuery(state: GridState): URLSearchParams {
  return gridQuery(state, { applied: state.applied, sort: state.sort, pageSize: DEFAULT_PAGE_SIZE, page: 1 });
}

export function hasFilters(applied: GridFilterInput): boolean {
  return FILTER_PARAMS.some((name) => applied[name] !== undefined) || (applied.statuses ?? []).length > 0;
}
