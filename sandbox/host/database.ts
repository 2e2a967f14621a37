/**
 * Database selection for the reference host: DATABASE_URL is `mysql://user:pass@host:port/db` or
 * `sqlite:path`; unset means an embedded SQLite file under var/.
 */
import path from 'node:path';
import fs from 'node:fs';
import knexFactory, { type Knex } from 'knex';

export const DEFAULT_SQLITE_PATH = 'var/amazon-sales-channel.sqlite';

export class DatabaseConfigError extends Error {
  override name = 'DatabaseConfigError';
}

export type DatabaseTarget =
  | { client: 'mysql2'; url: string; host: string; port: number; user: string; password: string; database: string }
  | { client: 'better-sqlite3'; url: string; filename: string };

/**
 * The URL with its password replaced by ***, safe for messages and logs. The password runs to the
 * last "@" (as URL parsing reads it), so one containing "@" is masked whole.
 */
export function maskUrl(url: string): string {
  return url.replace(/^(\w+:\/\/[^:/]*:).*@/, '$1***@');
}

export function parseDatabaseUrl(url: string | undefined, cwd = process.cwd()): DatabaseTarget {
  if (url === undefined || url.trim() === '') {
    return { client: 'better-sqlite3', url: `sqlite:${DEFAULT_SQLITE_PATH}`, filename: path.resolve(cwd, DEFAULT_SQLITE_PATH) };
  }
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (file === '') throw new DatabaseConfigError(`DATABASE_URL "${url}" names no file: use sqlite:path/to/file.sqlite`);
    return { client: 'better-sqlite3', url, filename: file === ':memory:' ? file : path.resolve(cwd, file) };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseConfigError(`DATABASE_URL "${maskUrl(url)}" is not a URL: use mysql://user:pass@host:port/db or sqlite:path`);
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new DatabaseConfigError(
      `DATABASE_URL "${maskUrl(url)}" has unsupported scheme "${parsed.protocol.replace(':', '')}": use mysql://user:pass@host:port/db or sqlite:path`,
    );
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '') throw new DatabaseConfigError(`DATABASE_URL "${maskUrl(url)}" names no database: add /dbname`);
  return {
    client: 'mysql2',
    url,
    host: parsed.hostname,
    port: parsed.port === '' ? 3306 : Number(parsed.port),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database,
  };
}

/**
 * knex prints every failed connection attempt with a stack trace; the same error reaches the
 * caller (and becomes one DatabaseConfigError line). It also prints "Connection Error: ..." as it
 * drops a pooled connection that died while idle (the server restarted, a KILL, wait_timeout):
 * the next statement gets a new connection, so that is no failure of anything, and a line that is
 * not JSON among the JSON log lines. Only other warnings are printed.
 */
const log: Knex.Config['log'] = {
  warn(message: unknown) {
    if (typeof message === 'string' && (message.startsWith('Acquire connection error') || message.startsWith('Connection Error: '))) return;
    console.warn(message);
  },
};

export function knexConfig(target: DatabaseTarget): Knex.Config {
  if (target.client === 'better-sqlite3') {
    return {
      log,
      client: 'better-sqlite3',
      connection: { filename: target.filename },
      useNullAsDefault: true,
      pool: {
        // Foreign keys are off by default in SQLite; a busy timeout lets several processes share the file.
        afterCreate(conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
          conn.pragma('foreign_keys = ON');
          conn.pragma('journal_mode = WAL');
          conn.pragma('busy_timeout = 10000');
          done(null, conn);
        },
      },
    };
  }
  return {
    client: 'mysql2',
    log,
    connection: {
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database: target.database,
      timezone: 'Z',
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false,
      connectTimeout: 10000,
    },
    pool: { min: 0, max: 10 },
  };
}

/**
 * A knex instance for DATABASE_URL without connecting yet (knex connects on the first query), so
 * that e.g. `asc --help` works before the database is reachable.
 */
export function createKnex(url: string | undefined, cwd = process.cwd()): { knex: Knex; target: DatabaseTarget } {
  const target = parseDatabaseUrl(url, cwd);
  return { knex: knexFactory(knexConfig(target)), target };
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message.split('\n')[0] : String(error));

/**
 * Creates a folder and its missing parents one by one. Node's `mkdirSync(..., { recursive: true })`
 * never returns for some paths (under /proc it loops on ENOENT); made one at a time, the failure
 * surfaces.
 */
function ensureFolder(folder: string): void {
  if (fs.existsSync(folder)) {
    if (!fs.statSync(folder).isDirectory()) throw new Error(`${folder} is not a folder`);
    return;
  }
  const parent = path.dirname(folder);
  if (parent !== folder) ensureFolder(parent);
  fs.mkdirSync(folder, 0o700);
}

/**
 * The SQLite file holds buyer data: readable by its owner only, like the secret key file. SQLite
 * gives its -wal and -shm files the database file's permissions.
 */
function ownerOnlyFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
}

/** Proves the database answers; any failure is one DatabaseConfigError line (password masked). */
export async function checkConnection(knex: Knex, target: DatabaseTarget): Promise<void> {
  if (target.client === 'better-sqlite3' && target.filename !== ':memory:') {
    const folder = path.dirname(target.filename);
    try {
      ensureFolder(folder);
    } catch (error) {
      throw new DatabaseConfigError(`Cannot use DATABASE_URL "${maskUrl(target.url)}": cannot create the folder ${folder}: ${firstLine(error)}`);
    }
    try {
      ownerOnlyFile(target.filename);
    } catch (error) {
      throw new DatabaseConfigError(`Cannot use DATABASE_URL "${maskUrl(target.url)}": cannot create ${target.filename}: ${firstLine(error)}`);
    }
  }
  try {
    await knex.raw('select 1');
  } catch (error) {
    throw new DatabaseConfigError(`Cannot connect to DATABASE_URL "${maskUrl(target.url)}": ${firstLine(error)}`);
  }
}

/** Opens the database and proves it answers; any failure is one DatabaseConfigError line. */
export async function openDatabase(url: string | undefined, cwd = process.cwd()): Promise<Knex> {
  const { knex, target } = createKnex(url, cwd);
  try {
    await checkConnection(knex, target);
  } catch (error) {
    await knex.destroy().catch(() => undefined);
    throw error;
  }
  return knex;
}
