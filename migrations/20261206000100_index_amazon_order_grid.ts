/**
 * Indexes for the grid at a million orders a store (issue 10): every sort and the "needs
 * attention" filter read an index instead of sorting or scanning the store's rows.
 *
 * - `needs_attention`: blocked from import or in Error, the OR no index could serve. A generated
 *   column, so no write path has to keep it true: the database derives it from import_state and
 *   status on every write, on both databases.
 * - `note_sort`: the first 191 characters of the note (MySQL/MariaDB index no TEXT column whole;
 *   191 utf8mb4 characters fit any index). Notes sort by it, then by id.
 * - (store_id, status): sorting by status (then id) reads it in order; the (store_id, status,
 *   purchase_date) index serves the status filter with the date sort, not this.
 *
 * Virtual (not stored) columns: nothing to fill for existing rows, and SQLite adds only virtual
 * ones to an existing table. The database computes them when it writes the index.
 */
import type { Knex } from 'knex';
import { dropColumn, isSqlite } from '../src/db/schema.ts';

const GENERATED = {
  needs_attention: { sql: "import_state = 'blocked' or status = 'Error'", mysqlType: 'tinyint(1)', sqliteType: 'integer' },
  note_sort: { sql: 'substr(note, 1, 191)', mysqlType: 'varchar(191)', sqliteType: 'text' },
} as const;

const INDEXES: string[][] = [
  ['store_id', 'needs_attention', 'purchase_date'],
  ['store_id', 'note_sort'],
  ['store_id', 'status'],
];

export async function up(knex: Knex): Promise<void> {
  for (const [column, { sql, mysqlType, sqliteType }] of Object.entries(GENERATED)) {
    const type = isSqlite(knex) ? sqliteType : mysqlType;
    await knex.raw(`alter table amazon_order add column ?? ${type} generated always as (${sql}) virtual`, [column]);
  }
  await knex.schema.alterTable('amazon_order', (t) => {
    for (const columns of INDEXES) t.index(columns);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('amazon_order', (t) => {
    for (const columns of INDEXES) t.dropIndex(columns);
  });
  for (const column of Object.keys(GENERATED)) await dropColumn(knex, 'amazon_order', column);
}
