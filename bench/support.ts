/**
 * What every benchmark shares: the machine line, MariaDB databases of their own on the server of
 * BENCH_MYSQL_URL, a silent logger and percentiles.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { openDatabase } from '../sandbox/host/database.ts';
import type { LoggerPort } from '../src/host/ports.ts';

export type BenchDatabase = 'sqlite' | 'mysql';

/** The MariaDB server the benchmarks use; its database part is order-latency's database (the others make their own). */
export const BENCH_MYSQL_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test_bench';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..');

export const silentLogger: LoggerPort = { debug() {}, info() {}, warn() {}, error() {} };

export function databaseKind(value: string | undefined): BenchDatabase {
  if (value === 'sqlite' || value === 'mysql') return value;
  throw new Error(`--database must be sqlite or mysql, not ${value}`);
}

/** BENCH_MYSQL_URL with another database name. */
export function mysqlUrl(database: string): string {
  const url = new URL(BENCH_MYSQL_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onServer<T>(use: (server: Knex) => Promise<T>): Promise<T> {
  const server = await openDatabase(mysqlUrl('mysql'));
  try {
    return await use(server);
  } finally {
    await server.destroy();
  }
}

/** Whether the benchmarks' MariaDB server answers (the smoke run skips MariaDB when it does not). */
export async function mariadbAnswers(): Promise<boolean> {
  try {
    await onServer(async () => undefined);
    return true;
  } catch {
    return false;
  }
}

/** Drops and creates the database `name` on the benchmarks' server; answers its URL. */
export async function emptyMysqlDatabase(name: string): Promise<string> {
  await onServer(async (server) => {
    await server.raw('drop database if exists ??', [name]);
    await server.raw('create database ?? character set utf8mb4', [name]);
  });
  return mysqlUrl(name);
}

export async function mysqlDatabaseExists(name: string): Promise<boolean> {
  return onServer(async (server) => {
    const [rows] = (await server.raw('select schema_name from information_schema.schemata where schema_name = ?', [name])) as [unknown[]];
    return rows.length > 0;
  });
}

export async function dropMysqlDatabase(name: string): Promise<void> {
  await onServer((server) => server.raw('drop database if exists ??', [name]));
}

/** A fresh SQLite file in a new temporary folder, as a DATABASE_URL. */
export function tempSqliteUrl(): string {
  return `sqlite:${path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'asc-bench-')), 'bench.sqlite')}`;
}

export function tempVarDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'asc-bench-var-'));
}

/** Cores, CPU, memory and Node; the database's version and buffer pool when given one. */
export async function machineText(db?: Knex): Promise<string> {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const machine = `${os.cpus().length} x ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`;
  if (!db) return machine;
  if (db.client.config.client === 'better-sqlite3') {
    const [row] = (await db.raw('select sqlite_version() as v')) as Array<{ v: string }>;
    return `${machine}, SQLite ${row!.v}`;
  }
  const [[row]] = (await db.raw('select version() as v, @@innodb_buffer_pool_size as pool')) as [Array<{ v: string; pool: string }>];
  return `${machine}, MariaDB ${row!.v} (innodb_buffer_pool_size ${(Number(row!.pool) / 2 ** 20).toFixed(0)} MiB)`;
}

/** Nearest-rank percentile (with 7 runs, p95 is the slowest). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Runs a CLI's main, printing a failure and exiting non-zero on it. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
