/**
 * Orders that need the admin: blocked from import (no host order can be created yet) or in Error
 * (sending to Amazon failed). The store cards count both; the system message names the stores with
 * blocked orders, as the original's "orders that cannot be imported" message does.
 */
import type { Knex } from 'knex';

/** Orders needing attention per store id (stores without any are absent). */
export async function attentionCounts(db: Knex): Promise<Map<number, number>> {
  const rows: Array<{ store_id: unknown; n: unknown }> = await db('amazon_order')
    .where((q) => q.where('import_state', 'blocked').orWhere('status', 'Error'))
    .groupBy('store_id')
    .select('store_id', db.raw('count(*) as n'));
  return new Map(rows.map((row) => [Number(row.store_id), Number(row.n)]));
}

/** Stores that have orders which cannot be imported, with how many. */
export async function storesWithBlockedOrders(db: Knex): Promise<Array<{ storeId: number; name: string; blocked: number }>> {
  const rows: Array<{ id: unknown; name: string; n: unknown }> = await db('amazon_order as o')
    .join('amazon_store as s', 's.id', 'o.store_id')
    .where('o.import_state', 'blocked')
    .groupBy('s.id', 's.name')
    .orderBy('s.name')
    .select('s.id', 's.name', db.raw('count(*) as n'));
  return rows.map((row) => ({ storeId: Number(row.id), name: row.name, blocked: Number(row.n) }));
}
