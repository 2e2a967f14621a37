/**
 * `amazon_order_search_gram`: the n-grams of each order's folded buyer name and order number,
 * so the grid's substring searches read an index instead of scanning the store (see
 * src/orders/search-grams.ts). Filled here for the orders stored before it, in batches.
 */
import type { Knex } from 'knex';
import { isSqlite } from '../src/db/schema.ts';
import { fillSearchGrams } from '../src/orders/search-grams.ts';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('amazon_order_search_gram', (t) => {
    t.integer('store_id').unsigned().notNullable();
    /** b (buyer's name) | o (order number) */
    t.string('field', 1).notNullable();
    t.string('gram', 4).notNullable();
    t.integer('order_id').unsigned().notNullable().references('amazon_order.id').onDelete('CASCADE');
    t.primary(['store_id', 'field', 'gram', 'order_id']);
    t.index(['order_id']);
    if (!isSqlite(knex)) {
      t.charset('utf8mb4');
      // Grams compare exactly: the text is folded before it is cut.
      t.collate('utf8mb4_bin');
    }
  });
  await fillSearchGrams(knex);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('amazon_order_search_gram');
}
