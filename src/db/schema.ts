/**
 * Schema changes that knex does differently on the two databases, done the same way on both.
 * Kept out of migrations/ (knex would load any file there as a migration).
 */
import type { Knex } from 'knex';

export function isSqlite(knex: Knex): boolean {
  return String(knex.client.config.client).includes('sqlite');
}

/**
 * Drops a column without touching any other row. knex drops a SQLite column by rebuilding the
 * table (copy, drop the original, rename); inside a migration's transaction foreign keys cannot be
 * switched off, so dropping the original cascades into every child table (ON DELETE CASCADE).
 * SQLite >= 3.35 drops the column in place; it refuses a column that is still indexed, so drop
 * such indexes first.
 */
export async function dropColumn(knex: Knex, table: string, column: string): Promise<void> {
  if (isSqlite(knex)) await knex.raw('alter table ?? drop column ??', [table, column]);
  else await knex.schema.alterTable(table, (t) => t.dropColumn(column));
}
