/**
 * The grid filters and sorts buyers on `buyer_search` (the folded name), so that is what gets the
 * per-store index; the (store_id, buyer_name) index was never used.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('amazon_order', (t) => {
    t.index(['store_id', 'buyer_search']);
    t.dropIndex(['store_id', 'buyer_name']);
  });
}

export async function down(knex: Knex): Promise<void> {
  // Dropping the index here also lets the buyer_search migration's down drop the column (SQLite refuses an indexed one).
  await knex.schema.alterTable('amazon_order', (t) => {
    t.index(['store_id', 'buyer_name']);
    t.dropIndex(['store_id', 'buyer_search']);
  });
}
