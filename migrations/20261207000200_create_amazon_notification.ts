/**
 * `amazon_notification`: the ORDER_CHANGE notifications handled (src/notifications), so a message
 * the queue delivers again is recognised by Amazon's NotificationId and deleted without a second
 * getOrder.
 */
import type { Knex } from 'knex';
import { isSqlite } from '../src/db/schema.ts';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('amazon_notification', (t) => {
    t.string('notification_id', 128).primary();
    t.integer('store_id').unsigned().notNullable().references('amazon_store.id').onDelete('CASCADE');
    t.string('amazon_order_id', 32).notNullable();
    t.string('change_type', 64).notNullable();
    /** Amazon's PublishTime: the queue's lag is handled_at - published_at. */
    t.datetime('published_at', { precision: 3 }).notNullable();
    t.datetime('handled_at', { precision: 3 }).notNullable();
    t.index(['store_id', 'handled_at']);
    if (!isSqlite(knex)) {
      t.charset('utf8mb4');
      t.collate('utf8mb4_bin');
    }
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('amazon_notification');
}
