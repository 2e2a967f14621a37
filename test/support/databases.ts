/**
 * Every database test runs on both databases: SQLite (a fresh temporary file) and MySQL/MariaDB
 * (TEST_MYSQL_URL, emptied before each use). In CI (CI set) a missing or unreachable MySQL fails
 * the run instead of skipping it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { openDatabase } from '../../sandbox/host/database.ts';

export type DatabaseKind = 'sqlite' | 'mysql';

export interface TestDatabase {
  kind: DatabaseKind;
  /** A DATABASE_URL that points at this database (for child processes and the CLI). */
  url: string;
  knex: Knex;
}

const mysqlUrl = process.env.TEST_MYSQL_URL;

/** Drops every table so each suite starts from nothing. */
export async function emptyMysql(knex: Knex): Promise<void> {
  const [rows] = (await knex.raw('select table_name as name from information_schema.tables where table_schema = database()')) as [
    Array<{ name: string }>,
  ];
  await knex.raw('set foreign_key_checks = 0');
  for (const { name } of rows) await knex.raw('drop table if exists ??', [name]);
  await knex.raw('set foreign_key_checks = 1');
}

export async function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asc-test-'));
    const url = `sqlite:${path.join(dir, 'test.sqlite')}`;
    return { kind, url, knex: await openDatabase(url) };
  }
  if (!mysqlUrl) throw new Error('TEST_MYSQL_URL is not set');
  const knex = await openDatabase(mysqlUrl);
  await emptyMysql(knex);
  return { kind, url: mysqlUrl, knex };
}

/**
 * Declares `describe(title [sqlite|mysql])` for each database. `body` receives a getter for the
 * suite's database, opened fresh before the suite and closed after it.
 */
export function describeEachDatabase(title: string, body: (db: () => TestDatabase) => void): void {
  for (const kind of ['sqlite', 'mysql'] as const) describeOnDatabase(kind, title, body);
}

/**
 * `describe(title [kind])` on one database only, for what makes sense there alone (killing a
 * MySQL connection, say); a missing TEST_MYSQL_URL skips or fails exactly as describeEachDatabase.
 */
export function describeOnDatabase(kind: DatabaseKind, title: string, body: (db: () => TestDatabase) => void): void {
  describe(`${title} [${kind}]`, function () {
    if (kind === 'mysql' && !mysqlUrl) {
      if (process.env.CI) {
        it('needs TEST_MYSQL_URL in CI', () => {
          throw new Error('TEST_MYSQL_URL is not set: CI must run every database test on MySQL/MariaDB too');
        });
        return;
      }
      // Outside CI a developer without MySQL still gets the SQLite half, and is told.
      it.skip('MySQL half: set TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test to run it');
      return;
    }
    let database: TestDatabase | undefined;
    before(async function () {
      database = await openTestDatabase(kind);
    });
    after(async function () {
      await database?.knex.destroy();
    });
    body(() => {
      if (!database) throw new Error('database not opened yet');
      return database;
    });
  });
}
