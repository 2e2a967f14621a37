/**
 * `host_order_item.external_reference` (contract 1.2.0 `CreateOrderLine.externalReference`): the
 * channel's id for the line, given back on the order and in order action contexts.
 */
import type { Knex } from 'knex';
import { dropColumn } from '../../../src/db/schema.ts';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('host_order_item', (t) => {
    t.string('external_reference', 64).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropColumn(knex, 'host_order_item', 'external_reference');
}
