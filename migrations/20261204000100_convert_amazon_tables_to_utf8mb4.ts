/**
 * The module's tables in utf8mb4 on MySQL/MariaDB, whatever the database's default. They were
 * created in the database's default character set, and on a database created as `latin1` (MariaDB's
 * own default before 11.6) or `utf8` (utf8mb3: no 4-byte characters, so no emoji and no CJK
 * extension characters) one such character in a buyer's name or a product title failed its insert,
 * and with it the page of orders, on every run. Tables in utf8mb4 already are left alone (their
 * collation too); a converted table gets utf8mb4_unicode_ci, and the seller SKU columns their exact
 * collation back (CONVERT sets every column's). SQLite keeps any text anyway.
 *
 * `down` changes nothing: text with 4-byte characters could not go back.
 */
import type { Knex } from 'knex';
import { isSqlite, setExactText, type TextColumn } from '../src/db/schema.ts';

const TABLES = [
  'amazon_store',
  'amazon_order_settings',
  'amazon_order',
  'amazon_order_item',
  'amazon_order_refetch',
  'amazon_listing_match',
  'amazon_order_log',
  'amazon_sync_state',
  'amazon_feed',
  'amazon_outbox',
  'amazon_api_error',
  'amazon_rate_bucket',
];

/** The columns 20261202000200_make_seller_skus_case_sensitive made exact. */
const EXACT_COLUMNS: TextColumn[] = [
  { table: 'amazon_listing_match', column: 'seller_sku', length: 255, nullable: false },
  { table: 'amazon_order_item', column: 'seller_sku', length: 255, nullable: true },
];

export async function up(knex: Knex): Promise<void> {
  if (isSqlite(knex)) return;
  // A table whose default or any text column is in another character set.
  const [rows] = (await knex.raw(
    `select distinct t.table_name as name from information_schema.tables t
       left join information_schema.columns c on c.table_schema = t.table_schema and c.table_name = t.table_name
      where t.table_schema = database() and t.table_name in (${TABLES.map(() => '?').join(', ')})
        and (t.table_collation not like 'utf8mb4%' or (c.character_set_name is not null and c.character_set_name <> 'utf8mb4'))`,
    TABLES,
  )) as [Array<{ name: string }>];
  const converted = new Set(rows.map((row) => row.name));
  for (const table of TABLES) {
    if (converted.has(table)) await knex.raw('alter table ?? convert to character set utf8mb4 collate utf8mb4_unicode_ci', [table]);
  }
  for (const column of EXACT_COLUMNS) if (converted.has(column.table)) await setExactText(knex, column);
}

export async function down(): Promise<void> {}
