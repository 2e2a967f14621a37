/**
 * The Amazon orders grid: one query builder for the filters and sort that serves the page, the
 * total count and the CSV export alike (CLI `orders:list`, Recent Orders, All Orders). Sorting
 * and filtering happen in the database over the whole result, never on a page.
 */
import type { Knex } from 'knex';
import { fromDb } from '../db/time.ts';
import { toE4 } from '../money.ts';
import type { FulfilledBy } from './order-snapshot.ts';
import type { GridStatus } from './rules.ts';
import { searchCandidates, type SearchCandidates, type SearchField } from './search-grams.ts';
import { searchText } from './search-text.ts';

export const SORTABLE_COLUMNS = {
  purchaseDate: 'purchase_date',
  orderNumber: 'amazon_order_id',
  status: 'status',
  // The folded name: the same case- and accent-insensitive order on both databases.
  buyerName: 'buyer_search',
  grandTotal: 'grand_total_e4',
  // The note's first 191 characters, an indexed generated column (a TEXT column has no index to sort by).
  note: 'note_sort',
} as const;
/** Columns unique within a store: they need no id to break ties, and their index alone gives the order. */
const UNIQUE_IN_STORE: readonly SortColumn[] = ['orderNumber'];
export type SortColumn = keyof typeof SORTABLE_COLUMNS;

export interface OrderGridFilter {
  storeId: number;
  statuses?: GridStatus[];
  /** Purchase date from (inclusive) and to (exclusive) instants. */
  from?: Date;
  to?: Date;
  /** Substring of the buyer's name, ignoring case and accents. */
  buyer?: string;
  /** Substring of the Amazon order number. */
  orderNumber?: string;
  /** Grand total range as decimal strings, inclusive. */
  min?: string;
  max?: string;
  /**
   * Only orders that need the admin: `any` is blocked from import or in Error after an outbound
   * failure; `blocked` is blocked from import only (what the "cannot be imported" message counts);
   * `error` is in Error only; `ship-by` is merchant-fulfilled, still to ship, and due to ship
   * before `shipByBefore` (overdue ones included).
   */
  attention?: 'any' | 'blocked' | 'error' | 'ship-by';
  shipByBefore?: Date;
}

/** The grid statuses of orders still to ship. */
export const TO_SHIP_STATUSES = ['Unshipped', 'Partially Shipped'] as const;

export interface OrderGridSort {
  column: SortColumn;
  direction: 'asc' | 'desc';
}

export const DEFAULT_SORT: OrderGridSort = { column: 'purchaseDate', direction: 'desc' };

export interface OrderGridRow {
  id: number;
  amazonOrderId: string;
  marketplaceId: string;
  purchaseDate: Date;
  status: GridStatus;
  buyerName: string | null;
  grandTotal: { amount: string; currencyCode: string } | null;
  fulfilledBy: FulfilledBy;
  importState: string;
  hostOrderId: string | null;
  hostOrderNumber: string | null;
  note: string | null;
}

/** `%` and `_` typed by an admin are letters, not wildcards. `!` escapes: a backslash means different things in MySQL and SQLite strings. */
function likeContains(text: string): string {
  return `%${text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/** Per substring filter, the orders that may match (search-grams.ts), or null to scan. */
export type SearchPlan = Partial<Record<SearchField, SearchCandidates | null>>;

/** The candidates of the filter's substring searches: asked once per page, count or export. */
export async function searchPlan(db: Knex, filter: OrderGridFilter): Promise<SearchPlan> {
  const plan: SearchPlan = {};
  for (const field of ['buyer', 'orderNumber'] as const) {
    const text = filter[field];
    if (text) plan[field] = await searchCandidates(db, filter.storeId, field, text);
  }
  return plan;
}

/**
 * The filtered query, without sort or paging: the base for page, count and export. `plan` narrows
 * the substring searches to their candidates; the LIKE decides either way.
 */
export function filteredOrders(db: Knex, filter: OrderGridFilter, plan: SearchPlan = {}): Knex.QueryBuilder {
  const query = db('amazon_order').where('store_id', filter.storeId);
  if (filter.statuses && filter.statuses.length > 0) query.whereIn('status', filter.statuses);
  if (filter.from) query.where('purchase_date', '>=', filter.from);
  if (filter.to) query.where('purchase_date', '<', filter.to);
  // Case- and accent-insensitive on both databases: both sides folded by searchText().
  if (filter.buyer) query.whereRaw("buyer_search like ? escape '!'", [likeContains(searchText(filter.buyer))]);
  // Order numbers are ASCII, and both databases' LIKE ignores ASCII case: no lower() to keep the index out.
  if (filter.orderNumber) query.whereRaw("amazon_order_id like ? escape '!'", [likeContains(filter.orderNumber)]);
  for (const candidates of Object.values(plan)) if (candidates) query.whereIn('id', candidates.orderIds);
  if (filter.min !== undefined) query.where('grand_total_e4', '>=', toE4(filter.min).toString());
  if (filter.max !== undefined) query.where('grand_total_e4', '<=', toE4(filter.max).toString());
  // Blocked or in Error: a generated column with its own index (no index serves the OR itself).
  if (filter.attention === 'any') query.where('needs_attention', 1);
  if (filter.attention === 'blocked') query.where('import_state', 'blocked');
  if (filter.attention === 'error') query.where('status', 'Error');
  if (filter.attention === 'ship-by') {
    query.whereIn('status', TO_SHIP_STATUSES).where('fulfilled_by', 'MERCHANT').where('latest_ship_date', '<', filter.shipByBefore ?? new Date(0));
  }
  return query;
}

const GRID_COLUMNS = [
  'id', 'amazon_order_id', 'marketplace_id', 'purchase_date', 'status', 'buyer_name', 'grand_total_amount', 'currency_code',
  'fulfilled_by', 'import_state', 'host_order_id', 'host_order_number', 'note',
];

function toGridRow(row: Record<string, unknown>): OrderGridRow {
  return {
    id: Number(row.id),
    amazonOrderId: row.amazon_order_id as string,
    marketplaceId: row.marketplace_id as string,
    purchaseDate: fromDb(row.purchase_date),
    status: row.status as GridStatus,
    buyerName: (row.buyer_name as string | null) ?? null,
    grandTotal: row.grand_total_amount ? { amount: row.grand_total_amount as string, currencyCode: row.currency_code as string } : null,
    fulfilledBy: row.fulfilled_by as FulfilledBy,
    importState: row.import_state as string,
    hostOrderId: (row.host_order_id as string | null) ?? null,
    hostOrderNumber: (row.host_order_number as string | null) ?? null,
    note: (row.note as string | null) ?? null,
  };
}

function sorted(query: Knex.QueryBuilder, sort: OrderGridSort, table = 'amazon_order'): Knex.QueryBuilder {
  const column = { column: `${table}.${SORTABLE_COLUMNS[sort.column]}`, order: sort.direction };
  // The id breaks ties so paging is stable.
  return query.orderBy(UNIQUE_IN_STORE.includes(sort.column) ? [column] : [column, { column: `${table}.id`, order: sort.direction }]);
}

/** Where a page starts: an offset, or (keyset) just after or before a row, then an offset. */
export interface GridPageRequest {
  limit: number;
  offset: number;
  after?: GridCursor;
  before?: GridCursor;
}

/** A row's place in the grid's order: its sort value as the database holds it, and its id. */
export interface GridCursor {
  key: Knex.Value;
  id: number;
}

export interface GridPage {
  rows: OrderGridRow[];
  /** The first and last rows' places, for the links to the pages before and after (null without rows). */
  first: GridCursor | null;
  last: GridCursor | null;
}

const flip = (direction: OrderGridSort['direction']) => (direction === 'asc' ? 'desc' : 'asc');

/**
 * One page in the grid's order. After a cursor (keyset) a deep page reads its own rows from the
 * index, where an OFFSET reads and skips every row before it; before a cursor it reads backwards
 * and returns the rows in the grid's order.
 */
export async function orderGridKeysetPage(
  db: Knex,
  filter: OrderGridFilter,
  sort: OrderGridSort,
  page: GridPageRequest,
  plan?: SearchPlan,
): Promise<GridPage> {
  const column = SORTABLE_COLUMNS[sort.column];
  const order: OrderGridSort = page.before ? { column: sort.column, direction: flip(sort.direction) } : sort;
  // The page's ids first, from the index alone, then their rows: selecting the rows' columns in the
  // same query makes MariaDB read every row it passes on the way to a deep page.
  const ids = inGridOrder(filteredOrders(db, filter, plan ?? (await searchPlan(db, filter))).select('amazon_order.id'), order, page.before ?? page.after)
    .limit(page.limit)
    .offset(page.offset);
  const query = db
    .from(ids.as('page'))
    .join('amazon_order', 'amazon_order.id', 'page.id')
    .select(GRID_COLUMNS.map((name) => `amazon_order.${name}`))
    .select({ grid_sort_key: `amazon_order.${column}` });
  const rows: Array<Record<string, unknown>> = await sorted(query, order);
  if (page.before) rows.reverse();
  // The key as the database returned it, so it compares exactly as stored (dates, decimals, collation).
  const cursorOf = (row: Record<string, unknown> | undefined): GridCursor | null => (row ? { key: (row.grid_sort_key ?? null) as Knex.Value, id: Number(row.id) } : null);
  return { rows: rows.map(toGridRow), first: cursorOf(rows[0]), last: cursorOf(rows[rows.length - 1]) };
}

/** The rows of one page at an offset, or every row when `page` is null. */
export async function orderGridPage(
  db: Knex,
  filter: OrderGridFilter,
  sort: OrderGridSort = DEFAULT_SORT,
  page: { limit: number; offset: number } | null = null,
): Promise<OrderGridRow[]> {
  if (page) return (await orderGridKeysetPage(db, filter, sort, page)).rows;
  return (await sorted(filteredOrders(db, filter, await searchPlan(db, filter)).select(GRID_COLUMNS), sort)).map(toGridRow);
}

/**
 * How far the pages count exactly: counting a million matching orders reads a million index
 * entries on every page view, while knowing there are more than this many is all a pager needs.
 */
export const COUNT_BOUND = 10_000;

/** The number of matching orders, or that there are more than `bound`. */
export interface BoundedCount {
  /** Exact when `more` is false; `bound` otherwise. */
  count: number;
  more: boolean;
}

/**
 * Counts matching orders up to `bound`, or with `after` those past a row in the grid's order (how
 * many pages follow a deep one): reads at most bound + 1 index entries, whatever the store holds.
 */
export async function orderGridCountUpTo(
  db: Knex,
  filter: OrderGridFilter,
  bound = COUNT_BOUND,
  options: { plan?: SearchPlan; after?: { sort: OrderGridSort; cursor: GridCursor } } = {},
): Promise<BoundedCount> {
  const filtered = filteredOrders(db, filter, options.plan ?? (await searchPlan(db, filter))).select(db.raw('1'));
  const matching = (options.after ? inGridOrder(filtered, options.after.sort, options.after.cursor) : filtered).limit(bound + 1);
  const row = await db.count({ n: '*' }).from(matching.as('matching')).first();
  const n = Number(row?.n ?? 0);
  return n > bound ? { count: bound, more: true } : { count: n, more: false };
}

/** The query in the grid's order, from just after `cursor` when there is one. */
function inGridOrder(query: Knex.QueryBuilder, sort: OrderGridSort, cursor?: GridCursor): Knex.QueryBuilder {
  if (cursor) afterKeyset(query, SORTABLE_COLUMNS[sort.column], sort.direction, cursor);
  // Descending past the last key, only rows without one are left: the id alone orders them (MariaDB
  // would sort them all rather than see that the key is the same NULL throughout).
  if (cursor?.key === null && sort.direction === 'desc') return query.orderBy('amazon_order.id', 'desc');
  return sorted(query, sort);
}

/**
 * Rows strictly after `last` in the grid's order (sort column, then id, in one direction). NULLs
 * come first ascending and last descending on both databases, as ORDER BY puts them.
 */
function afterKeyset(query: Knex.QueryBuilder, column: string, direction: OrderGridSort['direction'], last: GridCursor): void {
  const beyond = direction === 'asc' ? '>' : '<';
  query.where((q) => {
    if (last.key === null) {
      if (direction === 'asc') q.whereNotNull(column).orWhere((t) => t.whereNull(column).where('id', '>', last.id));
      else q.whereNull(column).where('id', '<', last.id);
      return;
    }
    q.where(column, beyond, last.key).orWhere((t) => t.where(column, last.key).where('id', beyond, last.id));
    if (direction === 'desc') q.orWhereNull(column);
  });
}

/**
 * Every matching row in sort order, streamed from the database in batches (for CSV export). Each
 * batch continues after the previous batch's last sort value and id (keyset), not at an OFFSET: a
 * sync inserting orders during a long export would otherwise shift rows across batch boundaries,
 * repeating or dropping them. Each batch is a short query of its own, so a slow download holds
 * no transaction open against the sync. (A row whose sort value itself changes meanwhile, such as
 * its status, can still cross the position; only a snapshot held for the whole download would pin that.)
 */
export async function* orderGridRows(db: Knex, filter: OrderGridFilter, sort: OrderGridSort = DEFAULT_SORT, batchSize = 500): AsyncGenerator<OrderGridRow> {
  // The search's candidates are chosen once for the whole export, not again for every batch.
  const plan = await searchPlan(db, filter);
  let after: GridCursor | undefined;
  for (;;) {
    const { rows, last } = await orderGridKeysetPage(db, filter, sort, { limit: batchSize, offset: 0, after }, plan);
    yield* rows;
    if (rows.length < batchSize || last === null) return;
    after = last;
  }
}

/** A cursor as link text (base64url JSON of key and id); dates as ISO 8601, so the link reads the same on both databases. */
export function encodeCursor(column: SortColumn, cursor: GridCursor): string {
  const key = cursor.key === null ? null : column === 'purchaseDate' ? fromDb(cursor.key).toISOString() : String(cursor.key);
  return Buffer.from(JSON.stringify([key, cursor.id])).toString('base64url');
}

/** The cursor a link carries, or null when it is not one (an edited or truncated link pages by offset instead). */
export function decodeCursor(column: SortColumn, text: string): GridCursor | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return null;
  const [key, id] = parsed as [unknown, unknown];
  if (!Number.isSafeInteger(id) || (id as number) < 1 || (key !== null && typeof key !== 'string')) return null;
  if (key === null || column !== 'purchaseDate') return { key, id: id as number };
  const date = new Date(key);
  return Number.isNaN(date.getTime()) ? null : { key: date, id: id as number };
}
