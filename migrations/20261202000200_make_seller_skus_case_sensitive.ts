/**
 * Amazon seller SKUs are exact, case-sensitive, on both databases, like the host's SKUs: with
 * MySQL/MariaDB's default utf8mb4 collations "amz-mug" and "AMZ-MUG" were one listing match (the
 * second match:set overwrote the first) and one unmatched listing, but two on SQLite. SQLite
 * compares exactly already. `down` fails on MySQL while two matches of a store differ only in case.
 */
import type { Knex } from 'knex';
import { setExactText, type TextColumn } from '../src/db/schema.ts';

const COLUMNS: TextColumn[] = [
  { table: 'amazon_listing_match', column: 'seller_sku', length: 255, nullable: false },
  { table: 'amazon_order_item', column: 'seller_sku', length: 255, nullable: true },
];

export async function up(knex: Knex): Promise<void> {
  for (const column of COLUMNS) await setExactText(knex, column);
}

export async function down(knex: Knex): Promise<void> {
  for (const column of COLUMNS) await setExactText(knex, column, false);
}
