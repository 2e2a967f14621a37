/**
 * Schema changes that knex does differently on the two databases, done the same way on both, row
 * locks where there are any, and the one test of which database a knex instance talks to.
 * Kept out of migrations/ (knex would load any file there as a migration).
 */
import type { Knex } from 'knex';

export function isSqlite(knex: Pick<Knex, 'client'>): boolean {
  return String(knex.client.config.client).includes('sqlite');
}

/**
 * Row locks for a read that a change in the same transaction follows, where the database has them
 * (MySQL/MariaDB: SELECT ... FOR UPDATE); SQLite lets one writer at a time in anyway.
 */
export function forUpdate<Q extends Knex.QueryBuilder>(query: Q, lock = true): Q {
  // A query builder knows its client as a knex instance does.
  return lock && !isSqlite(query as unknown as Pick<Knex, 'client'>) ? (query.forUpdate() as Q) : query;
}

/**
 * Inserts many rows in as few statements as the database takes: knex writes a SQLite multi-row
 * insert as a compound SELECT, which SQLite caps at 500 terms.
 */
export async function insertMany(db: Knex | Knex.Transaction, table: string, rows: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  const perInsert = isSqlite(db) ? 500 : 5_000;
  for (let i = 0; i < rows.length; i += perInsert) await db(table).insert(rows.slice(i, i + perInsert));
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

/** A varchar column as its migration created it. */
export interface TextColumn {
  table: string;
  column: string;
  length: number;
  nullable: boolean;
}

/**
 * Makes a varchar column compare exactly (case- and accent-sensitive) on MySQL/MariaDB too, where
 * the default utf8mb4 collations ignore case; SQLite compares exactly already. `exact: false`
 * gives the column back the table's default collation (for `down`).
 */
export async function setExactText(knex: Knex, c: TextColumn, exact = true): Promise<void> {
  if (isSqlite(knex)) return;
  const collation = exact ? 'character set utf8mb4 collate utf8mb4_bin' : '';
  await knex.raw(`alter table ?? modify ?? varchar(${Math.trunc(c.length)}) ${collation} ${c.nullable ? 'null' : 'not null'}`, [c.table, c.column]);
}
