/**
 * Reading instants back from either database. Writes pass JS Dates (UTC); MySQL returns Dates
 * (the connection runs in UTC), SQLite returns the epoch milliseconds knex stored. This is the one
 * place that knows.
 */
export function fromDb(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
  if (typeof value === 'string') {
    const asNumber = Number(value);
    if (/^\d+$/.test(value) && Number.isFinite(asNumber)) return new Date(asNumber);
    // "2026-11-26 09:45:13.123" without a zone is UTC in our tables.
    const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`;
    const date = new Date(iso);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new TypeError(`Not a stored instant: ${String(value)}`);
}

export function fromDbOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : fromDb(value);
}
