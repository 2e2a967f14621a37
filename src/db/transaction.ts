/**
 * knex's transaction, but failing with the error of the work, and with work deferred to its end.
 *
 * When the work fails and the ROLLBACK knex then sends fails too, knex rejects with the ROLLBACK's
 * error, which says nothing of what happened: "cannot rollback - no transaction is active" after
 * SQLite rolled the transaction back itself (as it does when the database or disk is full),
 * "connection is in closed state" after the MySQL connection was lost. Either way the database has
 * undone the transaction; the work's error is the one to report.
 */
import type { Knex } from 'knex';

type Hook = () => Promise<void>;
const beforeCommit = new WeakMap<Knex.Transaction, Hook[]>();

export async function transaction<T>(db: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  const failure: { error?: unknown; failed: boolean } = { failed: false };
  try {
    return await db.transaction(async (trx) => {
      beforeCommit.set(trx, []);
      try {
        const result = await work(trx);
        // A hook may defer more work (none does today): run until none is left.
        for (let hooks = beforeCommit.get(trx)!; hooks.length > 0; ) await hooks.shift()!();
        return result;
      } catch (error) {
        Object.assign(failure, { error, failed: true });
        throw error;
      }
    });
  } catch (error) {
    throw failure.failed ? failure.error : error;
  }
}

/**
 * Runs `hook` in `trx` after its work, just before the commit. For writes to rows many
 * transactions share (counters): taken last and briefly, in an order the hook chooses, they
 * cannot deadlock with one another. A transaction not opened by transaction() above has no end
 * to wait for: the hook runs at once.
 */
export async function deferUntilCommit(trx: Knex.Transaction, hook: Hook): Promise<void> {
  const hooks = beforeCommit.get(trx);
  if (hooks) hooks.push(hook);
  else await hook();
}
