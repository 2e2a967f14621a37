/** The module's tables on a test database (see databases.ts for the SQLite/MySQL pairing). */
import path from 'node:path';
import type { Knex } from 'knex';
import { migrateLatest } from '../../sandbox/host/migrator.ts';
import manifest from '../../module.json' with { type: 'json' };

export const moduleMigrations = {
  directory: path.resolve(import.meta.dirname, '../..', manifest.migrations.directory),
  tableName: manifest.migrations.tableName,
};

export async function migrateModule(knex: Knex): Promise<void> {
  await migrateLatest(knex, moduleMigrations);
}
