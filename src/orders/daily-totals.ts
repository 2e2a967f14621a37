/**
 * `amazon_order_daily`: per store, UTC purchase day, grid status and currency, how many orders
 * there are and what their grand totals add up to (ten-thousandths). The store dashboard's 30-day
 * chart reads a few hundred of these rows instead of every order of the month.
 *
 * OrderRepository is the one writer of the order columns counted here (DAILY_KEY_COLUMNS): it
 * moves an order between rows in the transaction that changes it, and the moves are written just
 * before that transaction commits, in one fixed order, so the shared rows are held briefly and
 * two transactions cannot deadlock on them (see writeDeltas). rebuildDailyTotals counts everything afresh (the
 * migration; after a bulk load written below the repository).
 */
import type { Knex } from 'knex';
import { forUpdate, isSqlite } from '../db/schema.ts';
import { fromDb } from '../db/time.ts';
import { deferUntilCommit } from '../db/transaction.ts';

export const DAILY_TOTALS_TABLE = 'amazon_order_daily';
/** The order columns a row of the table is chosen and summed by. */
export const DAILY_KEY_COLUMNS = ['store_id', 'purchase_date', 'status', 'currency_code', 'grand_total_e4'] as const;
/** Orders without a grand total (Pending) have no currency: counted under ''. */
const NO_CURRENCY = '';

/** Where one order counts. */
export interface DailyPlace {
  storeId: number;
  day: string;
  status: string;
  currencyCode: string;
  grandTotalE4: bigint;
}

/** The UTC day of an instant, as stored: "2026-12-07". */
export function utcDay(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** Where an order row (with DAILY_KEY_COLUMNS, as read back) counts. */
export function dailyPlaceOf(row: Record<string, unknown>): DailyPlace {
  return {
    storeId: Number(row.store_id),
    day: utcDay(fromDb(row.purchase_date)),
    status: String(row.status),
    currencyCode: (row.currency_code as string | null) ?? NO_CURRENCY,
    grandTotalE4: row.grand_total_e4 === null || row.grand_total_e4 === undefined ? 0n : BigInt(String(row.grand_total_e4)),
  };
}

export function touchesDailyTotals(columns: Record<string, unknown>): boolean {
  return DAILY_KEY_COLUMNS.some((column) => Object.hasOwn(columns, column));
}

interface Delta {
  place: Omit<DailyPlace, 'grandTotalE4'>;
  orders: number;
  revenueE4: bigint;
}

const pending = new WeakMap<Knex.Transaction, Map<string, Delta>>();
const placeKey = (p: Omit<DailyPlace, 'grandTotalE4'>) => JSON.stringify([p.storeId, p.day, p.status, p.currencyCode]);

/** Counts an order out of `from` (null: it is new) and into `to`, when `trx` commits. */
export async function moveInDailyTotals(trx: Knex.Transaction, from: DailyPlace | null, to: DailyPlace): Promise<void> {
  let deltas = pending.get(trx);
  const first = deltas === undefined;
  deltas ??= new Map();
  for (const [place, sign] of [[from, -1], [to, 1]] as const) {
    if (place === null) continue;
    const key = placeKey(place);
    const delta = deltas.get(key) ?? { place: { storeId: place.storeId, day: place.day, status: place.status, currencyCode: place.currencyCode }, orders: 0, revenueE4: 0n };
    delta.orders += sign;
    delta.revenueE4 += BigInt(sign) * place.grandTotalE4;
    deltas.set(key, delta);
  }
  if (!first) return;
  pending.set(trx, deltas);
  await deferUntilCommit(trx, async () => {
    pending.delete(trx);
    await writeDeltas(trx, deltas);
  });
}

/** Each store's lock row: never read as a day (days are "YYYY-MM-DD"). */
const lockRow = (storeId: number) => ({ store_id: storeId, day: '', status: '', currency_code: NO_CURRENCY });
const KEY = ['store_id', 'day', 'status', 'currency_code'];

/** Made with the store (and by the migration for stores before it), so no two transactions race to make it. */
export async function createDailyTotalsLockRow(trx: Knex | Knex.Transaction, storeId: number): Promise<void> {
  await trx(DAILY_TOTALS_TABLE).insert({ ...lockRow(storeId), orders: 0, revenue_e4: '0' });
}

/**
 * Adds the deltas in one order (store, day, status, currency), each row locked by its primary
 * key, so two transactions cannot deadlock on them. Creating a row is the exception: InnoDB's
 * duplicate check locks the gap beside it too, and two transactions inserting into one gap
 * deadlock. So a transaction that creates rows first takes its store's lock row (which sorts
 * before the store's days, made with the store), one such transaction at a time; one that only
 * adds to existing rows never takes it. SQLite lets one writer in at a time anyway.
 */
async function writeDeltas(trx: Knex.Transaction, deltas: Map<string, Delta>): Promise<void> {
  const table = DAILY_TOTALS_TABLE;
  const changes = [...deltas.keys()].sort().map((key) => deltas.get(key)!).filter((d) => d.orders !== 0 || d.revenueE4 !== 0n);
  const keyOf = ({ place }: Delta) => ({ store_id: place.storeId, day: place.day, status: place.status, currency_code: place.currencyCode });
  // Consistent reads: no lock taken.
  const exists = new Set<Delta>();
  for (const change of changes) if (await trx(table).where(keyOf(change)).first('orders')) exists.add(change);
  for (const storeId of [...new Set(changes.filter((c) => !exists.has(c)).map((c) => c.place.storeId))].sort((a, b) => a - b)) {
    // A store made below the module has none yet. Inserted only when missing: an insert that finds
    // the row takes a shared lock first, and two of those then waiting to lock it deadlock.
    if (!(await trx(table).where(lockRow(storeId)).first('orders'))) await trx(table).insert({ ...lockRow(storeId), orders: 0, revenue_e4: '0' }).onConflict(KEY).ignore();
    await forUpdate(trx(table).where(lockRow(storeId))).first('orders');
  }
  for (const change of changes) {
    const add = { orders: trx.raw('??.?? + ?', [table, 'orders', change.orders]), revenue_e4: trx.raw('??.?? + ?', [table, 'revenue_e4', change.revenueE4.toString()]) };
    if (exists.has(change)) await trx(table).where(keyOf(change)).update(add);
    // Created since this transaction's snapshot by another: added to all the same.
    else await trx(table).insert({ ...keyOf(change), orders: change.orders, revenue_e4: change.revenueE4.toString() }).onConflict(KEY).merge(add);
  }
}

/** Counts every order (of one store) afresh, set-based. */
export async function rebuildDailyTotals(db: Knex | Knex.Transaction, storeId?: number): Promise<void> {
  // SQLite holds instants as the epoch milliseconds knex wrote, MySQL as DATETIME in UTC.
  const day = isSqlite(db) ? "strftime('%Y-%m-%d', purchase_date / 1000, 'unixepoch')" : "date_format(purchase_date, '%Y-%m-%d')";
  const where = storeId === undefined ? '' : 'where store_id = ?';
  const bindings = storeId === undefined ? [] : [storeId];
  const run = async (trx: Knex | Knex.Transaction) => {
    await (storeId === undefined ? trx(DAILY_TOTALS_TABLE) : trx(DAILY_TOTALS_TABLE).where({ store_id: storeId })).delete();
    const stores = storeId === undefined ? await trx('amazon_store').pluck('id') : [storeId];
    for (const id of stores) await createDailyTotalsLockRow(trx, Number(id));
    await trx.raw(
      `insert into ?? (store_id, day, status, currency_code, orders, revenue_e4)
       select store_id, ${day}, status, coalesce(currency_code, ?), count(*), coalesce(sum(grand_total_e4), 0)
       from amazon_order ${where} group by store_id, ${day}, status, coalesce(currency_code, ?)`,
      [DAILY_TOTALS_TABLE, NO_CURRENCY, ...bindings, NO_CURRENCY],
    );
  };
  await ((db as Knex.Transaction).isTransaction ? run(db) : (db as Knex).transaction(run));
}

/** Orders and revenue per day and currency of one store, days from `fromDay` up to `toDay` (both "YYYY-MM-DD"). */
export async function readDailyTotals(
  db: Knex,
  storeId: number,
  fromDay: string,
  toDay: string,
  statuses: readonly string[],
): Promise<Array<{ day: string; currencyCode: string | null; orders: number; revenueE4: bigint }>> {
  const rows: Array<{ day: string; currency_code: string; orders: unknown; revenue_e4: unknown }> = await db(DAILY_TOTALS_TABLE)
    .where({ store_id: storeId })
    .whereBetween('day', [fromDay, toDay])
    .whereIn('status', statuses)
    .groupBy('day', 'currency_code')
    .select('day', 'currency_code', db.raw('sum(orders) as orders'), db.raw('sum(revenue_e4) as revenue_e4'));
  return rows.map((row) => ({
    day: row.day,
    currencyCode: row.currency_code === NO_CURRENCY ? null : row.currency_code,
    orders: Number(row.orders),
    // MySQL answers SUM as a DECIMAL string, SQLite as a number.
    revenueE4: BigInt(String(row.revenue_e4 ?? 0).replace(/\.0*$/, '')),
  }));
}
