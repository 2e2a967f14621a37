/**
 * One line about an unexpected error that is safe to store, show and log. A database error from
 * knex carries the SQL with its values in its message (buyer names, addresses, the order JSON):
 * those are reduced to the driver's code and, where the driver names one, the column.
 */
interface DriverError {
  code: string;
  sqlMessage?: string;
}

function isDatabaseError(error: unknown): error is Error & DriverError {
  if (!(error instanceof Error)) return false;
  const { code, sqlMessage } = error as Partial<DriverError>;
  return typeof code === 'string' && (typeof sqlMessage === 'string' || code.startsWith('SQLITE_'));
}

export function errorSummary(error: unknown): string {
  if (isDatabaseError(error)) {
    // mysql2 quotes the column (and, for some codes, the value): keep the column only.
    const column = /column '([\w.]+)'/.exec(error.sqlMessage ?? '')?.[1];
    return `database error ${error.code}${column ? ` (column ${column})` : ''}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!;
}

/**
 * An error as it may go into a log: a database error as its summary (its message and stack carry
 * the SQL with its values), anything else whole, stack included, for whoever debugs it.
 */
export function loggableError(error: unknown): unknown {
  return isDatabaseError(error) ? { name: error.name, code: error.code, message: errorSummary(error) } : error;
}
