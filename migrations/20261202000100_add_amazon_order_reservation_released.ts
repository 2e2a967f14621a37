/**
 * `amazon_order.stock_released_at`: when the stock held for a Pending order was given back. The
 * host's reservation keys are single-use (StockPort.reserve is idempotent per key), so an order
 * whose reservation was released is not reserved again; its stock is checked when it imports.
 */
import type { Knex } from 'knex';
import { dropColumn } from '../src/db/schema.ts';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('amazon_order', (t) => {
    t.datetime('stock_released_at', { precision: 3 }).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropColumn(knex, 'amazon_order', 'stock_released_at');
}
