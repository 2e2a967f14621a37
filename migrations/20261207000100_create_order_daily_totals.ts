/**
 * `amazon_order_daily`: orders and revenue per store, UTC purchase day, status and currency, for
 * the store dashboard's chart (see src/orders/daily-totals.ts). Counted here for the orders stored
 * before it.
 */
import type { Knex } from 'knex';
import { isSqlite } from '../src/db/schema.ts';
import { DAILY_TOTALS_TABLE, rebuildDailyTotals } from '../src/orders/daily-totals.ts';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable(DAILY_TOTALS_TABLE, (t) => {
    t.integer('store_id').unsigned().notNullable().references('amazon_store.id').onDelete('CASCADE');
    /** YYYY-MM-DD (UTC) */
    t.string('day', 10).notNullable();
    t.string('status', 32).notNullable();
    /** '' for orders without a grand total */
    t.string('currency_code', 3).notNullable();
    t.integer('orders').notNullable();
    t.bigInteger('revenue_e4').notNullable();
    t.primary(['store_id', 'day', 'status', 'currency_code']);
    if (!isSqlite(knex)) {
      t.charset('utf8mb4');
      t.collate('utf8mb4_bin');
    }
  });
  await rebuildDailyTotals(knex);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable(DAILY_TOTALS_TABLE);
}
