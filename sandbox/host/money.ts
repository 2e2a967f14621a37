/**
 * Money in the host: decimal strings as given ("11.01"), arithmetic on integer ten-thousandths
 * (bigint). Never a JS float.
 */
const DECIMAL = /^\d{1,15}(\.\d{1,4})?$/;

/** A non-negative decimal string with at most 4 decimals, e.g. "0", "11.1", "1234.5678". */
export function isDecimalString(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL.test(value);
}

/** "11.01" -> 110100n (ten-thousandths). */
export function toUnits(value: string): bigint {
  if (!isDecimalString(value)) throw new RangeError(`Not a decimal amount: "${value}"`);
  const [whole, fraction = ''] = value.split('.');
  return BigInt(whole) * 10000n + BigInt(fraction.padEnd(4, '0'));
}

/** 110100n -> "11.01"; keeps at least two decimals and drops trailing zeros beyond them. */
export function fromUnits(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / 10000n;
  let fraction = (abs % 10000n).toString().padStart(4, '0');
  while (fraction.length > 2 && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/**
 * The part of `amount` that belongs to `qty` of `ordered` units, rounded half-up to cents.
 * Refunds take `share(after) - share(before)`, so the shares of a line always add up to it exactly.
 */
export function share(amount: bigint, qty: number, ordered: number): bigint {
  if (ordered <= 0 || qty <= 0) return 0n;
  if (qty >= ordered) return amount;
  const cents = (amount * BigInt(qty) * 2n + BigInt(ordered) * 100n) / (BigInt(ordered) * 200n);
  return cents * 100n;
}
