/**
 * The module's tables. Conventions, the same on MySQL/MariaDB and SQLite:
 * - instants are `datetime(3)` written as JS Dates in UTC (see src/db/time.ts for reading them);
 * - money is kept twice: the decimal string exactly as Amazon sent it (`*_amount`) and the same
 *   value as an integer in ten-thousandths (`*_e4`) for exact filtering and sorting;
 * - JSON documents are text.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('amazon_store', (t) => {
    t.increments('id').primary();
    t.string('name', 255).notNullable();
    t.string('region', 8).notNullable();
    t.string('marketplace_id', 32).notNullable();
    t.string('seller_id', 64).notNullable();
    t.string('sp_api_endpoint', 512).notNullable();
    t.string('lwa_endpoint', 512).notNullable();
    t.string('client_id', 255).notNullable();
    /** Client secret and refresh token, encrypted through the host's secrets port. */
    t.text('credentials_encrypted').notNullable();
    t.string('status', 16).notNullable().defaultTo('active');
    t.datetime('integrated_at', { precision: 3 }).notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.unique(['seller_id', 'marketplace_id']);
  });

  await knex.schema.createTable('amazon_order_settings', (t) => {
    t.integer('store_id').unsigned().primary().references('amazon_store.id').onDelete('CASCADE');
    t.boolean('import_enabled').notNullable().defaultTo(true);
    t.string('host_store_view', 64).nullable();
    t.string('customer_creation', 16).notNullable().defaultTo('guest');
    t.string('order_number_source', 16).notNullable().defaultTo('host');
    t.boolean('reserve_pending').notNullable().defaultTo(true);
    t.string('order_status', 16).notNullable().defaultTo('default');
    t.string('processing_status', 64).nullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
  });

  await knex.schema.createTable('amazon_order', (t) => {
    t.increments('id').primary();
    t.integer('store_id').unsigned().notNullable().references('amazon_store.id').onDelete('CASCADE');
    t.string('amazon_order_id', 32).notNullable();
    t.string('marketplace_id', 32).notNullable();
    t.datetime('purchase_date', { precision: 3 }).notNullable();
    /** Amazon's lastUpdatedTime: an older version of the order never overwrites a newer one. */
    t.datetime('amazon_updated_at', { precision: 3 }).notNullable();
    /** Amazon's fulfillment status as sent (v2026 words, e.g. PARTIALLY_SHIPPED). */
    t.string('amazon_status', 32).notNullable();
    /** The grid's word (Pending, Unshipped, ..., Completed, Error). */
    t.string('status', 32).notNullable();
    t.string('fulfilled_by', 16).notNullable();
    t.string('buyer_name', 255).nullable();
    t.string('grand_total_amount', 32).nullable();
    t.bigInteger('grand_total_e4').nullable();
    t.string('currency_code', 3).nullable();
    /** The order document as Amazon sent it (contains PII: purged after the retention period). */
    t.text('raw', 'mediumtext').notNullable();
    /** Set instead of the Amazon word when the module knows better: Completed (shipped outside the host) or Error (outbound failed). */
    t.string('local_status', 32).nullable();
    /** waiting | disabled | not_eligible | ready | blocked | imported (see src/orders/import-state.ts) */
    t.string('import_state', 16).notNullable();
    /** A change Amazon made to an imported order that the host order still has to follow: cancel | complete. */
    t.string('host_action', 16).nullable();
    /** Stock is held in the host for this Pending order (StockPort key amazon-pending:<order id>). */
    t.boolean('stock_reserved').notNullable().defaultTo(false);
    t.string('block_reason', 32).nullable();
    t.text('note').nullable();
    t.string('host_order_id', 64).nullable();
    t.string('host_order_number', 64).nullable();
    t.datetime('imported_at', { precision: 3 }).nullable();
    /** When buyer PII was removed from this row (Amazon's Data Protection Policy retention). */
    t.datetime('pii_purged_at', { precision: 3 }).nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.unique(['store_id', 'amazon_order_id']);
    t.index(['store_id', 'purchase_date']);
    t.index(['store_id', 'status', 'purchase_date']);
    t.index(['store_id', 'grand_total_e4']);
    t.index(['store_id', 'buyer_name']);
    t.index(['store_id', 'import_state']);
  });

  await knex.schema.createTable('amazon_order_item', (t) => {
    t.increments('id').primary();
    t.integer('order_id').unsigned().notNullable().references('amazon_order.id').onDelete('CASCADE');
    t.string('order_item_id', 64).notNullable();
    t.string('seller_sku', 255).nullable();
    t.string('asin', 16).nullable();
    t.string('title', 1024).nullable();
    t.integer('quantity_ordered').notNullable();
    t.integer('quantity_shipped').notNullable().defaultTo(0);
    t.integer('quantity_canceled').notNullable().defaultTo(0);
    t.string('unit_price_amount', 32).nullable();
    t.string('currency_code', 3).nullable();
    t.text('raw', 'mediumtext').notNullable();
    t.unique(['order_id', 'order_item_id']);
    t.index(['seller_sku']);
  });

  /** Orders Amazon sent in a shape the module could not use: fetched again with getOrder until they are. */
  await knex.schema.createTable('amazon_order_refetch', (t) => {
    t.increments('id').primary();
    t.integer('store_id').unsigned().notNullable().references('amazon_store.id').onDelete('CASCADE');
    t.string('amazon_order_id', 32).notNullable();
    t.text('reason').notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.unique(['store_id', 'amazon_order_id']);
  });

  await knex.schema.createTable('amazon_listing_match', (t) => {
    t.increments('id').primary();
    t.integer('store_id').unsigned().notNullable().references('amazon_store.id').onDelete('CASCADE');
    t.string('seller_sku', 255).notNullable();
    t.string('host_sku', 255).notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.unique(['store_id', 'seller_sku']);
  });

  await knex.schema.createTable('amazon_order_log', (t) => {
    t.bigIncrements('id').primary();
    t.integer('order_id').unsigned().notNullable().references('amazon_order.id').onDelete('CASCADE');
    /** status | import | outbound | note */
    t.string('kind', 16).notNullable();
    t.string('from_status', 32).nullable();
    t.string('to_status', 32).nullable();
    t.text('message').notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.index(['order_id', 'id']);
  });

  await knex.schema.createTable('amazon_sync_state', (t) => {
    t.integer('store_id').unsigned().primary().references('amazon_store.id').onDelete('CASCADE');
    /** Orders updated up to this instant are stored; the next run asks from here (minus the overlap). */
    t.datetime('cursor', { precision: 3 }).nullable();
    /** The window being paged (exact searchOrders parameters) and where paging stopped, to continue after a crash. */
    t.datetime('window_after', { precision: 3 }).nullable();
    t.datetime('window_before', { precision: 3 }).nullable();
    t.text('next_token').nullable();
    t.string('lease_owner', 128).nullable();
    t.datetime('lease_expires_at', { precision: 3 }).nullable();
    t.datetime('last_started_at', { precision: 3 }).nullable();
    t.datetime('last_finished_at', { precision: 3 }).nullable();
    t.datetime('last_success_at', { precision: 3 }).nullable();
    t.string('last_result', 16).nullable();
    t.text('last_error').nullable();
    t.text('last_stats').nullable();
  });

  await knex.schema.createTable('amazon_outbox', (t) => {
    t.bigIncrements('id').primary();
    t.integer('store_id').unsigned().notNullable().references('amazon_store.id').onDelete('CASCADE');
    t.integer('order_id').unsigned().notNullable().references('amazon_order.id').onDelete('CASCADE');
    /** ship | cancel | refund */
    t.string('kind', 16).notNullable();
    t.text('payload').notNullable();
    /** Hash of kind + payload: the same command is queued once, however often a hook fires. */
    t.string('content_hash', 64).notNullable().unique();
    /** pending | sending | sent | failed */
    t.string('state', 16).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.datetime('next_attempt_at', { precision: 3 }).notNullable();
    t.text('last_error').nullable();
    t.string('feed_id', 64).nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.index(['state', 'next_attempt_at']);
  });

  await knex.schema.createTable('amazon_api_error', (t) => {
    t.bigIncrements('id').primary();
    t.integer('store_id').unsigned().nullable().references('amazon_store.id').onDelete('CASCADE');
    t.string('operation', 64).notNullable();
    t.integer('http_status').nullable();
    t.string('code', 64).nullable();
    t.text('message').notNullable();
    t.string('request_id', 128).nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.index(['store_id', 'created_at']);
  });

  /** Token buckets shared by every process and host on this database (see src/amazon rate limiter). */
  await knex.schema.createTable('amazon_rate_bucket', (t) => {
    t.string('bucket_key', 191).primary();
    t.double('tokens').notNullable();
    t.double('rate').notNullable();
    t.integer('burst').notNullable();
    t.bigInteger('updated_ms').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'amazon_rate_bucket',
    'amazon_api_error',
    'amazon_outbox',
    'amazon_sync_state',
    'amazon_order_log',
    'amazon_listing_match',
    'amazon_order_refetch',
    'amazon_order_item',
    'amazon_order',
    'amazon_order_settings',
    'amazon_store',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
