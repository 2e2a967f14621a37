/**
 * The reference host's own tables (bookkeeping table `host_migrations`, separate from any module's).
 * Same conventions as the module: instants are datetime(3) written as UTC JS Dates, money is the
 * decimal string exactly as given (validated, at most 4 decimals), never a float.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('host_store_view', (t) => {
    t.string('code', 64).primary();
    t.string('name', 255).notNullable();
    t.string('website_name', 255).notNullable();
    t.boolean('is_default').notNullable().defaultTo(false);
    t.integer('sort_order').notNullable().defaultTo(0);
  });
  // Every host has a default store view; orders with storeView null land there.
  await knex('host_store_view').insert({
    code: 'default', name: 'Default Store View', website_name: 'Main Website', is_default: true, sort_order: 0,
  });

  await knex.schema.createTable('host_config', (t) => {
    t.increments('id').primary();
    t.string('path', 255).notNullable();
    t.string('scope', 64).notNullable();
    t.text('value').notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.unique(['path', 'scope']);
  });

  await knex.schema.createTable('host_product', (t) => {
    t.increments('id').primary();
    t.string('sku', 64).notNullable().unique();
    t.string('name', 255).notNullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    /** Quantity on hand; orders that deduct stock lower it when they are created. */
    t.integer('qty').notNullable().defaultTo(0);
    t.boolean('manage_stock').notNullable().defaultTo(true);
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
  });

  await knex.schema.createTable('host_stock_reservation', (t) => {
    t.string('reservation_key', 191).primary();
    /** active: counts against salable qty; released: no longer counts; converted: an order took it over. */
    t.string('state', 16).notNullable();
    t.integer('order_id').unsigned().nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.index(['state']);
  });
  await knex.schema.createTable('host_stock_reservation_item', (t) => {
    t.increments('id').primary();
    t.string('reservation_key', 191).notNullable().references('host_stock_reservation.reservation_key').onDelete('CASCADE');
    t.string('sku', 64).notNullable();
    t.integer('qty').notNullable();
    t.unique(['reservation_key', 'sku']);
    t.index(['sku']);
  });

  await knex.schema.createTable('host_customer', (t) => {
    t.increments('id').primary();
    t.string('email', 255).notNullable().unique();
    t.string('first_name', 255).notNullable();
    t.string('last_name', 255).notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
  });

  await knex.schema.createTable('host_order_status', (t) => {
    t.string('code', 32).primary();
    t.string('label', 255).notNullable();
    t.string('state', 16).notNullable();
    /** The status an order gets when it enters this state without an explicit status. */
    t.boolean('is_default').notNullable().defaultTo(false);
  });
  await knex('host_order_status').insert([
    { code: 'processing', label: 'Processing', state: 'processing', is_default: true },
    { code: 'amazon_processing', label: 'Processing (Amazon)', state: 'processing', is_default: false },
    { code: 'complete', label: 'Complete', state: 'complete', is_default: true },
    { code: 'canceled', label: 'Canceled', state: 'canceled', is_default: true },
    { code: 'closed', label: 'Closed', state: 'closed', is_default: true },
  ]);

  /** One row per host-numbered order: its auto-increment id is the order number. */
  await knex.schema.createTable('host_order_sequence', (t) => {
    t.increments('id').primary();
  });

  await knex.schema.createTable('host_order', (t) => {
    t.increments('id').primary();
    t.string('number', 64).notNullable().unique();
    /** Creating twice with the same key yields this one order: the UNIQUE index decides races. */
    t.string('idempotency_key', 191).notNullable().unique();
    t.string('channel', 64).nullable();
    t.string('external_reference', 64).nullable();
    t.string('store_view', 64).notNullable().references('host_store_view.code');
    t.string('state', 16).notNullable();
    t.string('status', 32).notNullable().references('host_order_status.code');
    t.string('customer_mode', 16).notNullable();
    t.integer('customer_id').unsigned().nullable().references('host_customer.id');
    t.string('customer_email', 255).notNullable();
    t.string('customer_first_name', 255).notNullable();
    t.string('customer_last_name', 255).notNullable();
    t.string('ship_first_name', 255).notNullable();
    t.string('ship_last_name', 255).notNullable();
    /** JSON array of street lines. */
    t.text('ship_street').notNullable();
    t.string('ship_city', 255).notNullable();
    t.string('ship_region', 255).nullable();
    t.string('ship_postal_code', 32).notNullable();
    t.string('ship_country_code', 2).notNullable();
    t.string('ship_phone', 64).notNullable();
    t.string('currency_code', 3).notNullable();
    t.string('shipping_amount', 32).notNullable();
    t.string('shipping_tax_amount', 32).notNullable();
    t.string('shipping_discount_amount', 32).notNullable();
    t.string('grand_total', 32).notNullable();
    t.string('shipping_method', 255).notNullable();
    t.string('payment_method', 255).notNullable();
    /** The request's deductStock: false for goods that left someone else's warehouse. */
    t.boolean('deduct_stock').notNullable();
    t.boolean('shipping_refunded').notNullable().defaultTo(false);
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.index(['channel', 'external_reference']);
    t.index(['created_at']);
  });

  await knex.schema.createTable('host_order_item', (t) => {
    t.increments('id').primary();
    t.integer('order_id').unsigned().notNullable().references('host_order.id').onDelete('CASCADE');
    t.integer('product_id').unsigned().notNullable().references('host_product.id');
    /** The SKU as the order line named it. */
    t.string('sku', 255).notNullable();
    t.string('name', 255).notNullable();
    t.integer('qty_ordered').notNullable();
    t.integer('qty_shipped').notNullable().defaultTo(0);
    t.integer('qty_canceled').notNullable().defaultTo(0);
    t.integer('qty_refunded').notNullable().defaultTo(0);
    /** The part of qty_refunded that was never shipped (it will not ship and went back to stock). */
    t.integer('qty_refunded_unshipped').notNullable().defaultTo(0);
    /** Whether creating the order lowered the product's quantity for this line (cancel/refund give it back). */
    t.boolean('stock_deducted').notNullable();
    t.string('unit_price', 32).notNullable();
    t.string('tax_amount', 32).notNullable();
    t.string('discount_amount', 32).notNullable();
    t.index(['order_id']);
  });

  await knex.schema.createTable('host_order_comment', (t) => {
    t.increments('id').primary();
    t.integer('order_id').unsigned().notNullable().references('host_order.id').onDelete('CASCADE');
    t.string('status', 32).notNullable();
    t.text('comment').notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.index(['order_id']);
  });

  await knex.schema.createTable('host_shipment', (t) => {
    t.increments('id').primary();
    t.integer('order_id').unsigned().notNullable().references('host_order.id').onDelete('CASCADE');
    t.string('carrier_code', 16).notNullable();
    t.string('carrier_title', 255).notNullable();
    t.string('tracking_number', 128).notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.index(['order_id']);
  });
  await knex.schema.createTable('host_shipment_item', (t) => {
    t.increments('id').primary();
    t.integer('shipment_id').unsigned().notNullable().references('host_shipment.id').onDelete('CASCADE');
    t.integer('order_item_id').unsigned().notNullable().references('host_order_item.id').onDelete('CASCADE');
    t.integer('qty').notNullable();
  });

  await knex.schema.createTable('host_creditmemo', (t) => {
    t.increments('id').primary();
    t.integer('order_id').unsigned().notNullable().references('host_order.id').onDelete('CASCADE');
    t.string('reason', 64).notNullable();
    t.string('currency_code', 3).notNullable();
    t.string('item_amount', 32).notNullable();
    t.string('shipping_amount', 32).notNullable();
    t.string('tax_amount', 32).notNullable();
    t.string('grand_total', 32).notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.index(['order_id']);
  });
  await knex.schema.createTable('host_creditmemo_item', (t) => {
    t.increments('id').primary();
    t.integer('creditmemo_id').unsigned().notNullable().references('host_creditmemo.id').onDelete('CASCADE');
    t.integer('order_item_id').unsigned().notNullable().references('host_order_item.id').onDelete('CASCADE');
    t.integer('qty').notNullable();
  });

  await knex.schema.createTable('host_admin_user', (t) => {
    t.increments('id').primary();
    t.string('username', 64).notNullable().unique();
    /** scrypt$N$r$p$salt$hash, see sandbox/host/passwords.ts */
    t.string('password_hash', 255).notNullable();
    t.string('role', 16).notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
  });
  await knex.schema.createTable('host_admin_session', (t) => {
    /** sha256 of the cookie value: a leaked table does not hand out live sessions. */
    t.string('id_hash', 64).primary();
    t.integer('user_id').unsigned().notNullable().references('host_admin_user.id').onDelete('CASCADE');
    t.string('csrf_token', 64).notNullable();
    /** A one-time notice shown on the next page (e.g. "Shipment created"). */
    t.text('flash').nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('expires_at', { precision: 3 }).notNullable();
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'host_admin_session',
    'host_admin_user',
    'host_creditmemo_item',
    'host_creditmemo',
    'host_shipment_item',
    'host_shipment',
    'host_order_comment',
    'host_order_item',
    'host_order',
    'host_order_sequence',
    'host_order_status',
    'host_customer',
    'host_stock_reservation_item',
    'host_stock_reservation',
    'host_product',
    'host_config',
    'host_store_view',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
