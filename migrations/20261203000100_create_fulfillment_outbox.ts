/**
 * Fulfillment back to Amazon (src/fulfillment/): the outbox of what must reach Amazon (shipment
 * confirmations, cancels, refunds), written in the transaction of the host's change; the feeds
 * that carry cancels and refunds in batches; and a second lease per store, so one sender at a
 * time works on a store's outbox (beside, not instead of, the sync's lease).
 *
 * The first migration's amazon_outbox was never written to; it is replaced by this shape.
 */
import type { Knex } from 'knex';
import { dropColumn } from '../src/db/schema.ts';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.dropTable('amazon_outbox');

  await knex.schema.createTable('amazon_feed', (t) => {
    t.bigIncrements('id').primary();
    t.integer('store_id').unsigned().notNullable().references('amazon_store.id').onDelete('CASCADE');
    /** POST_ORDER_ACKNOWLEDGEMENT_DATA | POST_PAYMENT_ADJUSTMENT_DATA */
    t.string('feed_type', 64).notNullable();
    /** building | submitting | submitted | done | failed (see src/fulfillment/feed-sender.ts) */
    t.string('state', 16).notNullable();
    t.integer('messages').notNullable();
    t.string('feed_document_id', 128).nullable();
    /** Amazon's feed id, once createFeed answered. */
    t.string('amazon_feed_id', 64).nullable();
    /** Amazon's processingStatus when last read. */
    t.string('processing_status', 16).nullable();
    /** The processing summary, or why the feed failed as a whole. */
    t.text('result').nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('submitted_at', { precision: 3 }).nullable();
    t.datetime('finished_at', { precision: 3 }).nullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.index(['store_id', 'feed_type', 'submitted_at']);
    t.index(['store_id', 'state']);
  });

  await knex.schema.createTable('amazon_outbox', (t) => {
    t.bigIncrements('id').primary();
    t.integer('store_id').unsigned().notNullable().references('amazon_store.id').onDelete('CASCADE');
    t.integer('order_id').unsigned().notNullable().references('amazon_order.id').onDelete('CASCADE');
    t.string('amazon_order_id', 32).notNullable();
    /** shipment | cancel | refund */
    t.string('kind', 16).notNullable();
    /** What caused it, once: a host shipment, a host credit memo, or the order's cancel. */
    t.string('dedup_key', 191).notNullable().unique();
    /** What to send, as JSON (src/fulfillment/outbox.ts). */
    t.text('payload', 'mediumtext').notNullable();
    /** pending | sent (in a feed Amazon is processing) | done | failed */
    t.string('state', 16).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.datetime('next_attempt_at', { precision: 3 }).notNullable();
    t.text('last_error').nullable();
    /** The feed that carries this entry (cancel, refund) and its MessageID there. */
    t.bigInteger('feed_id').unsigned().nullable().references('amazon_feed.id');
    t.integer('message_id').nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('sent_at', { precision: 3 }).nullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.index(['store_id', 'state', 'next_attempt_at']);
    t.index(['order_id']);
    t.index(['feed_id']);
  });

  await knex.schema.alterTable('amazon_sync_state', (t) => {
    t.string('outbox_lease_owner', 128).nullable();
    t.datetime('outbox_lease_expires_at', { precision: 3 }).nullable();
  });
  // The fulfillment hooks find an Amazon order by its host order.
  await knex.schema.alterTable('amazon_order', (t) => {
    t.index(['host_order_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('amazon_order', (t) => {
    t.dropIndex(['host_order_id']);
  });
  await dropColumn(knex, 'amazon_sync_state', 'outbox_lease_expires_at');
  await dropColumn(knex, 'amazon_sync_state', 'outbox_lease_owner');
  await knex.schema.dropTable('amazon_outbox');
  await knex.schema.dropTable('amazon_feed');
  // The first migration's shape, so its own down finds what it created.
  await knex.schema.createTable('amazon_outbox', (t) => {
    t.bigIncrements('id').primary();
    t.integer('store_id').unsigned().notNullable().references('amazon_store.id').onDelete('CASCADE');
    t.integer('order_id').unsigned().notNullable().references('amazon_order.id').onDelete('CASCADE');
    t.string('kind', 16).notNullable();
    t.text('payload').notNullable();
    t.string('content_hash', 64).notNullable().unique();
    t.string('state', 16).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.datetime('next_attempt_at', { precision: 3 }).notNullable();
    t.text('last_error').nullable();
    t.string('feed_id', 64).nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.index(['state', 'next_attempt_at']);
  });
}
