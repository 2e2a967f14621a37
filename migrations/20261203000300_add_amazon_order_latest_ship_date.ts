/**
 * `amazon_order.latest_ship_date`: Amazon's ship-by deadline (fulfillment.shipByWindow
 * .latestDateTime), for the "To ship" dashboard widget and the grid's ship-by filter, filled for
 * orders stored before this migration.
 */
import type { Knex } from 'knex';
import { dropColumn } from '../src/db/schema.ts';
import { latestShipDate } from '../src/orders/from-amazon.ts';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('amazon_order', (t) => {
    t.datetime('latest_ship_date', { precision: 3 }).nullable();
    t.index(['status', 'latest_ship_date']);
  });
  for (let lastId = 0; ; ) {
    const rows: Array<{ id: number; raw: string }> = await knex('amazon_order').where('id', '>', lastId).orderBy('id').limit(500).select('id', 'raw');
    if (rows.length === 0) break;
    for (const row of rows) {
      const date = latestShipDate(JSON.parse(row.raw));
      if (date) await knex('amazon_order').where({ id: row.id }).update({ latest_ship_date: date });
    }
    lastId = Number(rows[rows.length - 1].id);
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('amazon_order', (t) => {
    t.dropIndex(['status', 'latest_ship_date']);
  });
  await dropColumn(knex, 'amazon_order', 'latest_ship_date');
}
