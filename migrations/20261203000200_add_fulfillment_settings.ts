/**
 * Two Order Settings for fulfillment: Read-Only Mode (record everything, send nothing that changes
 * an order at Amazon; the original's setting for staging copies) and the feed interval (Amazon
 * asks for at most one feed of a type every 20 minutes; 0 sends at once).
 */
import type { Knex } from 'knex';
import { dropColumn } from '../src/db/schema.ts';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('amazon_order_settings', (t) => {
    t.boolean('read_only').notNullable().defaultTo(false);
    t.integer('feed_interval_minutes').notNullable().defaultTo(20);
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropColumn(knex, 'amazon_order_settings', 'feed_interval_minutes');
  await dropColumn(knex, 'amazon_order_settings', 'read_only');
}
