/**
 * One line about an unexpected error that is safe to store, show and log. A database error from
 * knex carries the SQL with its values in its message (buyer names, addresses, the order JSON):
 * those are reduced to the driver's code and, where the driver names one, the column.
 */
interface DriverError {
  code?: string;
  sqlMessage?: string;
  /** mysql2's mark of an error of the connection itself (lost, reset, closed), not of one statement. */
  fatal?: boolean;
}

function isDatabaseError(error: unknown): error is Error & DriverError {
  if (!(error instanceof Error)) return false;
  const { code, sqlMessage, fatal } = error as DriverError;
  // A connection error carries no sqlMessage (and "closed state" not even a code), but knex has put
  // the statement it was running, values and all, in front of its message all the same.
  if (fatal === true) return true;
  return typeof code === 'string' && (typeof sqlMessage === 'string' || code.startsWith('SQLITE_'));
}

/**
 * What the codes that concern the database as a whole, rather than one statement, mean: the
 * person reading the sync's error must see at once that the database needs them, not the order.
 */
const CONDITIONS: Array<[RegExp, string]> = [
  [/^(PROTOCOL_CONNECTION_LOST|ECONNRESET|EPIPE|ETIMEDOUT|ER_CONNECTION_KILLED|ER_SERVER_SHUTDOWN)$/, 'the connection to the database was lost'],
  [/^(SQLITE_FULL|ER_RECORD_FILE_FULL|ER_DISK_FULL)$/, 'the database or its disk is full'],
  [/^(SQLITE_READONLY(_\w+)?|ER_OPTION_PREVENTS_STATEMENT|ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION)$/, 'the database is read-only'],
  [/^SQLITE_IOERR(_\w+)?$/, 'the database file could not be read or written (I/O error)'],
  [/^(ER_TABLEACCESS_DENIED_ERROR|ER_COLUMNACCESS_DENIED_ERROR|ER_DBACCESS_DENIED_ERROR)$/, "the database user lacks the privilege for this statement"],
];

export function errorSummary(error: unknown): string {
  if (isDatabaseError(error)) {
    const code = error.code ?? '';
    // Without a code, mysql2's fatal error is "connection is in closed state": lost earlier.
    const connection = error.fatal ? (code ? 'the connection to the database failed' : 'the connection to the database was lost') : undefined;
    const condition = CONDITIONS.find(([pattern]) => pattern.test(code))?.[1] ?? connection;
    // mysql2 quotes the column (and, for some codes, the value): keep the column only.
    const column = /column '([\w.]+)'/.exec(error.sqlMessage ?? '')?.[1];
    return `database error${code ? ` ${code}` : ''}${condition ? `: ${condition}` : ''}${column ? ` (column ${column})` : ''}`;
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
