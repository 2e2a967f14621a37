/**
 * `amazon_store_notifications`: a store's real-time updates (src/notifications): the SQS queue
 * Amazon sends its ORDER_CHANGE notifications to, the AWS key that reads it (the secret encrypted
 * through the host's secrets port), Amazon's destination and subscription ids, how often the
 * safety-net poll runs meanwhile, and the consumer's health.
 */
import type { Knex } from 'knex';
import { isSqlite } from '../src/db/schema.ts';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('amazon_store_notifications', (t) => {
    if (!isSqlite(knex)) {
      t.charset('utf8mb4');
      t.collate('utf8mb4_bin');
    }
    t.integer('store_id').unsigned().primary().references('amazon_store.id').onDelete('CASCADE');
    t.boolean('enabled').notNullable();
    t.string('queue_url', 1024).notNullable();
    t.string('queue_arn', 512).notNullable();
    t.string('aws_region', 32).notNullable();
    t.string('aws_access_key_id', 128).notNullable();
    t.text('aws_secret_encrypted').notNullable();
    t.string('destination_id', 128).nullable();
    t.string('subscription_id', 128).nullable();
    /** The searchOrders poll runs at most this often while notifications are on. */
    t.integer('poll_interval_minutes').notNullable().defaultTo(30);
    /** When a consumer last read the queue (every long poll, messages or not): no consumer running shows as silence. */
    t.datetime('last_read_at', { precision: 3 }).nullable();
    t.datetime('last_received_at', { precision: 3 }).nullable();
    /** Receipt time minus the time SQS got the last message. */
    t.integer('last_lag_ms').nullable();
    t.bigInteger('messages_processed').notNullable().defaultTo(0);
    /** Why the queue could not be read last (cleared by the next good read), and when. */
    t.string('last_error', 1000).nullable();
    t.datetime('last_error_at', { precision: 3 }).nullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.index(['enabled']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('amazon_store_notifications');
}
