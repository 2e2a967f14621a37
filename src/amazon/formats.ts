/**
 * The string formats of Amazon's shapes (models.ts), registered with TypeBox when this file loads.
 * TypeBox passes a string whose format is not registered, so the schemas name them through
 * `format()`, which imports (and so registers) them; the registered names carry a prefix so they
 * never clash with formats a host registers in its own copy of TypeBox.
 */
import Format from 'typebox/format';

/** A decimal amount as Amazon writes it: optional minus, digits, optional fraction. No exponent. */
export const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;
/** ISO 8601 date-time with a zone (RFC 3339 profile; seconds optional, ":" in the offset optional). */
const DATE_TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(?:Z|[+-](\d{2}):?(\d{2}))$/i;
/** ISO 4217: the module stores it in a 3-character column. */
const CURRENCY_PATTERN = /^[A-Z]{3}$/;

/** A day the calendar has: Date.parse rolls impossible ones over (2026-02-30 is March 2nd), so it is checked here. */
function isCalendarDate(year: string, month: string, day: string): boolean {
  const [y, m, d] = [Number(year), Number(month), Number(day)];
  return m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function isDateTime(value: string): boolean {
  const match = DATE_TIME_PATTERN.exec(value);
  if (!match) return false;
  const [, year, month, day, hour, minute, second = '00', , offsetHours = '00', offsetMinutes = '00'] = match;
  return (
    isCalendarDate(year!, month!, day!) &&
    Number(hour) <= 23 &&
    Number(minute) <= 59 &&
    Number(second) <= 59 &&
    Number(offsetHours) <= 23 &&
    Number(offsetMinutes) <= 59 &&
    !Number.isNaN(Date.parse(value))
  );
}

/** Each format: its check, and what a validation message says was expected. */
const FORMATS = {
  'date-time': { test: isDateTime, expected: 'an ISO 8601 date-time' },
  decimal: { test: (value: string) => DECIMAL_PATTERN.test(value), expected: 'a decimal string' },
  currency: { test: (value: string) => CURRENCY_PATTERN.test(value), expected: 'a 3-letter currency code' },
} as const;
export type AmazonFormat = keyof typeof FORMATS;

const PREFIX = 'amazon-';
for (const [name, { test }] of Object.entries(FORMATS)) Format.Set(`${PREFIX}${name}`, test);

/** The registered name of a format, for a schema's `format`. */
export const format = (name: AmazonFormat) => `${PREFIX}${name}`;

/** What a message says a string of a schema's `format` should have been; undefined for a format not ours. */
export function expectedFormat(registered: string): string | undefined {
  const name = registered.slice(PREFIX.length);
  return registered.startsWith(PREFIX) && Object.hasOwn(FORMATS, name) ? FORMATS[name as AmazonFormat].expected : undefined;
}
