/**
 * `amazon_order.buyer_search`: the buyer's name folded for the grid's case- and accent-insensitive
 * search (see src/orders/search-text.ts), filled for orders stored before this migration.
 */
import type { Knex } from 'knex';
import { dropColumn } from '../src/db/schema.ts';
import { searchText } from '../src/orders/search-text.ts';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('amazon_order', (t) => {
    t.string('buyer_search', 255).nullable();
  });
  for (let lastId = 0; ; ) {
    const rows: Array<{ id: number; buyer_name: string | null }> = await knex('amazon_order').where('id', '>', lastId).whereNotNull('buyer_name').orderBy('id').limit(500).select('id', 'buyer_name');
    if (rows.length === 0) break;
    for (const row of rows) await knex('amazon_order').where({ id: row.id }).update({ buyer_search: searchText(row.buyer_name) });
    lastId = Number(rows[rows.length - 1].id);
  }
}

export async function down(knex: Knex): Promise<void> {
  await dropColumn(knex, 'amazon_order', 'buyer_search');
}
