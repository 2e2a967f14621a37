/** Small helpers for writing the same SQL behaviour on MySQL/MariaDB and SQLite. */
import type { Knex } from 'knex';

/** A UNIQUE or PRIMARY KEY violation: the signal that another writer got there first. */
export function isDuplicateKeyError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Errors after which running the whole transaction again is correct (nothing was committed). */
function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === 'ER_LOCK_DEADLOCK' || (typeof code === 'string' && code.startsWith('SQLITE_BUSY'));
}

/**
 * Runs `work` in one transaction, retrying it from the start when the database chose it as a
 * deadlock victim (MySQL) or another process held the write lock (SQLite).
 */
export async function transact<T>(knex: Knex, work: (trx: Knex.Transaction) => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await knex.transaction(work);
    } catch (error) {
      if (!isRetryable(error) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt + Math.floor(Math.random() * 20)));
    }
  }
}

/**
 * knex writes a multi-row insert on SQLite as one compound SELECT (`insert ... select ... union all
 * select ...`), and SQLite takes at most 500 terms in one (SQLITE_MAX_COMPOUND_SELECT): an order,
 * shipment, credit memo or stock reservation of more lines failed. Rows go in slices, in the
 * caller's transaction.
 */
const ROWS_PER_INSERT = 250;

export async function insertRows(db: Knex | Knex.Transaction, table: string, rows: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) await db(table).insert(rows.slice(start, start + ROWS_PER_INSERT));
}

/** Booleans come back as 0/1 from both databases. */
export function toBool(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}

/** Auto-increment id returned by insert on both drivers. */
export function insertedId(result: unknown): number {
  const first = Array.isArray(result) ? result[0] : result;
  const id = typeof first === 'object' && first !== null ? (first as { id: unknown }).id : first;
  const n = Number(id);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`Unexpected insert result: ${JSON.stringify(result)}`);
  return n;
}

/** Parses an id given as a string ("12"); null for anything that is not a positive integer. */
export function parseId(id: string): number | null {
  return /^[1-9]\d{0,15}$/.test(id) ? Number(id) : null;
}
