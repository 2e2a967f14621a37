/**
 * The grid's substring searches (buyer's name, order number) without scanning the store: every
 * order's folded buyer name and order number are cut into n-grams (overlapping runs of n
 * characters) in `amazon_order_search_gram`, written in the same transaction as the order. A
 * search then reads the orders holding the search text's rarest n-grams (index ranges, joined)
 * and checks the substring on those alone, with the same LIKE as before: the index only narrows, the
 * answer is the LIKE's, on both databases.
 *
 * When even the rarest n-gram is in more than CANDIDATE_LIMIT orders, or the text is shorter than
 * n, the text is common: matching orders are dense and the grid's page and bounded count find
 * enough of them reading the store's index in order, so the search runs as a plain LIKE.
 */
import type { Knex } from 'knex';
import { insertMany } from '../db/schema.ts';
import { searchText } from './search-text.ts';

export const SEARCH_FIELDS = {
  // Names: letters, so 3 characters already tell orders apart.
  buyer: { code: 'b', n: 3 },
  // Order numbers are digits: 3 digits have only 1,000 values, 4 have 10,000.
  orderNumber: { code: 'o', n: 4 },
} as const;
export type SearchField = keyof typeof SEARCH_FIELDS;

/** Above this many orders for its rarest n-gram, a search text is common enough to scan for. */
export const CANDIDATE_LIMIT = 20_000;
/** How many of the text's rarest n-grams a candidate must hold: each is a probe per candidate, far cheaper than reading an order row. */
const INTERSECTED = 8;

/** The text as it is searched: folded like the grid's filter (order numbers are ASCII: lower case). */
export function searchableText(field: SearchField, text: string): string {
  return field === 'buyer' ? searchText(text) : text.toLowerCase();
}

/** The distinct n-grams of `text`, by code point (a gram never splits a character). */
export function grams(text: string, n: number): string[] {
  const characters = Array.from(text);
  const found = new Set<string>();
  for (let i = 0; i + n <= characters.length; i++) found.add(characters.slice(i, i + n).join(''));
  return [...found];
}

/** The n-gram rows of one order's field. */
function gramRows(storeId: number, orderId: number, field: SearchField, text: string | null) {
  const { code, n } = SEARCH_FIELDS[field];
  return text === null ? [] : grams(searchableText(field, text), n).map((gram) => ({ store_id: storeId, field: code, gram, order_id: orderId }));
}

const insertRows = (db: Knex | Knex.Transaction, rows: Array<Record<string, unknown>>) => insertMany(db, 'amazon_order_search_gram', rows);

/** A field's text as stored before and after a change (null: none, e.g. a new order or a purged buyer). */
export interface SearchTextChange {
  before: string | null;
  after: string | null;
}

/**
 * Moves the n-grams of one order's fields from the texts as they were stored (amazon_order_id, and
 * buyer_search: what the LIKE checks) to the texts as stored now; a null text has none (a purged
 * buyer is not found by name). Only the grams that differ are written, each row by its primary
 * key: nothing is deleted by order id, which on MariaDB would lock the gap after the newest
 * order's grams, where two transactions creating orders at once both insert and deadlock.
 */
export async function writeSearchGrams(
  trx: Knex | Knex.Transaction,
  storeId: number,
  orderId: number,
  changes: Partial<Record<SearchField, SearchTextChange>>,
): Promise<void> {
  const added: Array<Record<string, unknown>> = [];
  for (const [field, change] of Object.entries(changes) as Array<[SearchField, SearchTextChange]>) {
    const before = new Set(gramRows(storeId, orderId, field, change.before).map((row) => row.gram));
    const after = gramRows(storeId, orderId, field, change.after);
    const kept = new Set(after.map((row) => row.gram));
    const gone = [...before].filter((gram) => !kept.has(gram));
    if (gone.length > 0) await trx('amazon_order_search_gram').where({ store_id: storeId, field: SEARCH_FIELDS[field].code, order_id: orderId }).whereIn('gram', gone).delete();
    added.push(...after.filter((row) => !before.has(row.gram)));
  }
  await insertRows(trx, added);
}

/** A new order's texts as stored: its number and folded buyer name. */
export interface NewOrderTexts {
  storeId: number;
  orderId: number;
  amazonOrderId: string;
  buyerSearch: string | null;
}

/** The n-grams of orders that have none yet (new ones), in as few inserts as the database allows. */
export async function writeNewOrdersSearchGrams(trx: Knex | Knex.Transaction, orders: readonly NewOrderTexts[]): Promise<void> {
  await insertRows(
    trx,
    orders.flatMap((order) => [
      ...gramRows(order.storeId, order.orderId, 'orderNumber', order.amazonOrderId),
      ...gramRows(order.storeId, order.orderId, 'buyer', order.buyerSearch),
    ]),
  );
}

export async function fillSearchGrams(db: Knex, batchSize = 2_000): Promise<number> {
  let filled = 0;
  for (let lastId = 0; ; ) {
    const orders: Array<{ id: unknown; store_id: unknown; amazon_order_id: string; buyer_search: string | null }> = await db('amazon_order')
      .where('id', '>', lastId)
      .whereNotExists((q) => q.select(db.raw('1')).from('amazon_order_search_gram as g').whereRaw('g.order_id = amazon_order.id'))
      .orderBy('id')
      .limit(batchSize)
      .select('id', 'store_id', 'amazon_order_id', 'buyer_search');
    if (orders.length === 0) return filled;
    const texts = orders.map((o) => ({ storeId: Number(o.store_id), orderId: Number(o.id), amazonOrderId: o.amazon_order_id, buyerSearch: o.buyer_search }));
    await db.transaction((trx) => writeNewOrdersSearchGrams(trx, texts));
    filled += orders.length;
    lastId = Number(orders[orders.length - 1]!.id);
  }
}

/** The orders that may match a search: a subquery of their ids. */
export interface SearchCandidates {
  // Wrapped: an async function returning a query builder itself would run it (a builder is a thenable).
  orderIds: Knex.QueryBuilder;
}

/**
 * The orders that may hold `text` in `field` (those holding the text's rarest n-grams), or null
 * when the text is common or short and a scan is the better plan.
 */
export async function searchCandidates(db: Knex, storeId: number, field: SearchField, text: string): Promise<SearchCandidates | null> {
  const { code, n } = SEARCH_FIELDS[field];
  const textGrams = grams(searchableText(field, text), n);
  if (textGrams.length === 0) return null;
  const posting = (gram: string) => db('amazon_order_search_gram').where({ store_id: storeId, field: code, gram });
  // Each count reads at most CANDIDATE_LIMIT + 1 index entries.
  const counts = await Promise.all(
    textGrams.map(async (gram) => {
      const row = await db.count({ n: '*' }).from(posting(gram).select(db.raw('1')).limit(CANDIDATE_LIMIT + 1).as('p')).first();
      return { gram, n: Number(row?.n ?? 0) };
    }),
  );
  const [rarest, ...others] = counts.sort((a, b) => a.n - b.n);
  if (rarest.n > CANDIDATE_LIMIT) return null;
  // The orders holding each of the text's rarest n-grams: a rare name made of common n-grams
  // ("Zoe Dvorak") has far fewer than any one of them. Each further list is probed by order id in
  // the gram table's own index, before any order row is read to check the LIKE.
  const both = db('amazon_order_search_gram as p0').where({ 'p0.store_id': storeId, 'p0.field': code, 'p0.gram': rarest.gram });
  others.slice(0, INTERSECTED - 1).forEach(({ gram }, i) => {
    const alias = `p${i + 1}`;
    both.join(`amazon_order_search_gram as ${alias}`, (on) => {
      on.on(`${alias}.store_id`, 'p0.store_id').andOn(`${alias}.field`, 'p0.field').andOnVal(`${alias}.gram`, gram).andOn(`${alias}.order_id`, 'p0.order_id');
    });
  });
  // Grouped, so MariaDB computes the list first (a derived table it cannot merge) instead of
  // reading each order row of the rarest list before probing the others.
  both.groupBy('p0.order_id').select('p0.order_id');
  return { orderIds: db.from(both.as('candidates')).select('candidates.order_id') };
}
