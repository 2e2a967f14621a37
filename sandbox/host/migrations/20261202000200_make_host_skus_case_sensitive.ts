/**
 * SKUs are exact, case-sensitive, on both databases: MySQL/MariaDB's default utf8mb4 collations
 * ignore case, so "case-1" found (and collided with) "CASE-1" there but not on SQLite. The product
 * SKU and the reservation lines' SKU (compared with it) get a binary collation; SQLite compares
 * exactly already. `down` fails on MySQL while two SKUs differ only in case.
 */
import type { Knex } from 'knex';
import { setExactText, type TextColumn } from '../../../src/db/schema.ts';

const COLUMNS: TextColumn[] = [
  { table: 'host_product', column: 'sku', length: 64, nullable: false },
  { table: 'host_stock_reservation_item', column: 'sku', length: 64, nullable: false },
];

export async function up(knex: Knex): Promise<void> {
  for (const column of COLUMNS) await setExactText(knex, column);
}

export async function down(knex: Knex): Promise<void> {
  for (const column of COLUMNS) await setExactText(knex, column, false);
}
