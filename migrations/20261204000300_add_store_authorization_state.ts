/**
 * Whether Amazon still accepts a store's authorization: `authorized`; `rejected` when Login with
 * Amazon answered invalid_grant for its refresh token (the seller removed the app, or the token was
 * revoked), which stops its sync and sends until it is reconnected; `disconnected` when an admin
 * disconnected it (its credentials deleted, its orders kept view-only). The note says what happened.
 */
import type { Knex } from 'knex';
import { dropColumn } from '../src/db/schema.ts';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('amazon_store', (t) => {
    t.string('authorization', 16).notNullable().defaultTo('authorized');
    t.text('authorization_note').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropColumn(knex, 'amazon_store', 'authorization_note');
  await dropColumn(knex, 'amazon_store', 'authorization');
}
