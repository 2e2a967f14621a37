/**
 * Connecting a store through Amazon's website authorization workflow (src/stores/store-connection.ts):
 * one row per time an admin was sent to Seller Central. Only a hash of the `state` Amazon hands
 * back is kept, with a hash of the admin's session it belongs to; a row is used once.
 */
import type { Knex } from 'knex';
import { isSqlite } from '../src/db/schema.ts';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('amazon_store_authorization', (t) => {
    // Whatever the database's default: the module's tables are utf8mb4 (20261204000100).
    if (!isSqlite(knex)) {
      t.charset('utf8mb4');
      t.collate('utf8mb4_unicode_ci');
    }
    t.increments('id').primary();
    /** sha256 (hex) of the state sent to Amazon. */
    t.string('state_hash', 64).notNullable().unique();
    /** sha256 (hex) of the admin session's CSRF token: the callback must come back to that session ("console": any admin's). */
    t.string('session_hash', 64).notNullable();
    t.string('admin_user', 255).notNullable();
    t.string('store_name', 255).notNullable();
    t.string('region', 8).notNullable();
    t.string('marketplace_id', 32).notNullable();
    /** Set when the admin reconnects this store: the consent replaces its refresh token. */
    t.integer('reconnect_store_id').unsigned().nullable().references('amazon_store.id').onDelete('CASCADE');
    /** How many days before the connection the store's integration time goes back (0: now). */
    t.integer('import_days').notNullable().defaultTo(0);
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('expires_at', { precision: 3 }).notNullable();
    /** Set by the first callback with this state, whatever its outcome: a state is single-use. */
    t.datetime('used_at', { precision: 3 }).nullable();
    /** connected | reconnected | expired | denied | refused | failed, and the store it concerned. */
    t.string('outcome', 16).nullable();
    t.integer('store_id').unsigned().nullable().references('amazon_store.id').onDelete('SET NULL');
    t.index(['created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('amazon_store_authorization');
}
