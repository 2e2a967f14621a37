/**
 * Runs a directory of knex migrations (TypeScript or JavaScript files exporting up/down) with its
 * own bookkeeping table, so the host and every module migrate independently.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

class DirectoryMigrationSource implements Knex.MigrationSource<string> {
  constructor(private readonly directory: string) {}

  async getMigrations(): Promise<string[]> {
    const files = await fs.readdir(this.directory);
    return files.filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts')).sort();
  }

  getMigrationName(file: string): string {
    return file.replace(/\.(ts|js|mjs)$/, '');
  }

  async getMigration(file: string): Promise<MigrationModule> {
    return (await import(pathToFileURL(path.join(this.directory, file)).href)) as MigrationModule;
  }
}

export interface MigrationSet {
  directory: string;
  tableName: string;
}

function config(set: MigrationSet): Knex.MigratorConfig {
  return { migrationSource: new DirectoryMigrationSource(set.directory), tableName: set.tableName };
}

/** Applies pending migrations; returns the names it applied (empty when up to date). */
export async function migrateLatest(knex: Knex, set: MigrationSet): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest(config(set))) as [number, string[]];
  return applied;
}

/** Rolls back every migration of the set; returns the names it rolled back. */
export async function rollbackAll(knex: Knex, set: MigrationSet): Promise<string[]> {
  const [, rolledBack] = (await knex.migrate.rollback(config(set), true)) as [number, string[]];
  return rolledBack;
}

/** Rolls back the set's last applied migration; returns its name, or null when none is applied. */
export async function migrateDown(knex: Knex, set: MigrationSet): Promise<string | null> {
  const [, rolledBack] = (await knex.migrate.down(config(set))) as [number, string[]];
  return rolledBack[0] ?? null;
}

/** Names of the migrations of the set not applied yet. */
export async function pendingMigrations(knex: Knex, set: MigrationSet): Promise<string[]> {
  const [, pending] = (await knex.migrate.list(config(set))) as [unknown[], Array<{ file: string } | string>];
  return pending.map((p) => (typeof p === 'string' ? p : p.file).replace(/\.(ts|js|mjs)$/, ''));
}
