/**
 * knex's transaction, but failing with the error of the work. When the work fails and the
 * ROLLBACK knex then sends fails too, knex rejects with the ROLLBACK's error, which says nothing
 * of what happened: "cannot rollback - no transaction is active" after SQLite rolled the
 * transaction back itself (as it does when the database or disk is full), "connection is in
 * closed state" after the MySQL connection was lost. Either way the database has undone the
 * transaction; the work's error is the one to report.
 */
import type { Knex } from 'knex';

export async function transaction<T>(db: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  const failure: { error?: unknown; failed: boolean } = { failed: false };
  try {
    return await db.transaction(async (trx) => {
      try {
        return await work(trx);
      } catch (error) {
        Object.assign(failure, { error, failed: true });
        throw error;
      }
    });
  } catch (error) {
    throw failure.failed ? failure.error : error;
  }
}
