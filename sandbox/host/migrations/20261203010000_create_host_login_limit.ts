/**
 * `host_login_limit`: failed sign-ins counted per username, per client address and per both, for
 * the login throttle (sandbox/host/login-throttle.ts). The table is rate-limiter-flexible's own
 * shape (`key`, `points`, `expire` in epoch ms), made here so that no library creates tables.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('host_login_limit', (t) => {
    t.string('key', 255).primary();
    t.integer('points').notNullable().defaultTo(0);
    t.bigInteger('expire').unsigned().nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('host_login_limit');
}
