/**
 * Order charges besides lines and shipping (contract 1.1.0 `CreateOrderRequest.charges`): gift
 * wrap, cash-on-delivery fees, tips. Money as the decimal strings given, like every host amount.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('host_order_charge', (t) => {
    t.increments('id').primary();
    t.integer('order_id').unsigned().notNullable().references('host_order.id').onDelete('CASCADE');
    t.string('kind', 16).notNullable();
    t.string('label', 255).notNullable();
    t.string('amount', 32).notNullable();
    t.string('tax_amount', 32).notNullable();
    t.string('discount_amount', 32).notNullable();
    t.index(['order_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('host_order_charge');
}
