/**
 * Orders that need the admin: blocked from import (no host order can be created yet) or in Error
 * (Amazon did not accept what was sent, or Amazon and the host disagree). The store cards count
 * both; the system message names the stores with blocked orders, as the original's "orders that
 * cannot be imported" message does, and the stores with orders in Error.
 *
 * The system message renders on every admin page, so these are counted per store through the
 * (store_id, import_state), (store_id, status) and (store_id, needs_attention, ...) indexes, never
 * by scanning all orders.
 */
import type { Knex } from 'knex';

async function count(query: Knex.QueryBuilder): Promise<number> {
  const row = await query.count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

function blocked(db: Knex, storeId: number): Knex.QueryBuilder {
  return db('amazon_order').where({ store_id: storeId, import_state: 'blocked' });
}

/** Orders needing attention per store id (stores without any are absent). */
export async function attentionCounts(db: Knex): Promise<Map<number, number>> {
  const stores: Array<{ id: unknown }> = await db('amazon_store').select('id');
  const counts = new Map<number, number>();
  for (const { id } of stores) {
    const storeId = Number(id);
    // needs_attention is blocked-or-Error, derived by the database and indexed per store.
    const n = await count(db('amazon_order').where({ store_id: storeId, needs_attention: 1 }));
    if (n > 0) counts.set(storeId, n);
  }
  return counts;
}

/**
 * Stores with orders that cannot be imported (blocked) or that Amazon did not accept fulfillment
 * for (Error), with how many of each, by store name.
 */
export async function storesNeedingAttention(db: Knex): Promise<Array<{ storeId: number; name: string; blocked: number; errors: number }>> {
  const stores: Array<{ id: unknown; name: string }> = await db('amazon_store').orderBy('name').select('id', 'name');
  const result: Array<{ storeId: number; name: string; blocked: number; errors: number }> = [];
  for (const store of stores) {
    const storeId = Number(store.id);
    const n = await count(blocked(db, storeId));
    const errors = await count(db('amazon_order').where({ store_id: storeId, status: 'Error' }));
    if (n > 0 || errors > 0) result.push({ storeId, name: store.name, blocked: n, errors });
  }
  return result;
}
