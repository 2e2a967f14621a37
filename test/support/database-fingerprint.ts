/**
 * What is stored, as one comparable value: every table's rows (module and host alike), so a test
 * can prove that a refused input, a read-only page or a failed run left the database as it was.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';

async function tableNames(knex: Knex): Promise<string[]> {
  if (knex.client.config.client === 'better-sqlite3') {
    const rows: Array<{ name: string }> = await knex('sqlite_master').where({ type: 'table' }).andWhereNot('name', 'like', 'sqlite_%').select('name');
    return rows.map((r) => r.name).sort();
  }
  const [rows] = (await knex.raw('select table_name as name from information_schema.tables where table_schema = database()')) as [Array<{ name: string }>];
  return rows.map((r) => r.name).sort();
}

/** Table name -> a hash of its rows (order-independent), and the row count for messages. */
export async function databaseFingerprint(knex: Knex): Promise<Record<string, string>> {
  const fingerprint: Record<string, string> = {};
  for (const table of await tableNames(knex)) {
    const rows: unknown[] = await knex(table).select('*');
    const lines = rows.map((row) => JSON.stringify(row)).sort();
    fingerprint[table] = `${rows.length} rows ${crypto.createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16)}`;
  }
  return fingerprint;
}

/**
 * Counts the statements that could change data (anything but reads and transaction control), on
 * every connection of `knex`: a read-only page must run none. Cheaper than a fingerprint per case.
 */
export function countWrites(knex: Knex): { readonly writes: string[]; stop(): void } {
  const writes: string[] = [];
  const READ = /^\s*(select|pragma|begin|commit|rollback|savepoint|release|start transaction|set\s+(session\s+)?transaction)\b/i;
  const listener = (query: { sql: string }) => {
    if (!READ.test(query.sql)) writes.push(query.sql.slice(0, 120));
  };
  knex.on('query', listener);
  return { writes, stop: () => knex.removeListener('query', listener) };
}
