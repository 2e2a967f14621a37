/**
 * Money as integer minor units (bigint) inside the sandbox and decimal strings on the wire.
 * No float ever touches an amount.
 */

export const CURRENCY_DECIMALS: Readonly<Record<string, number>> = { USD: 2, CAD: 2, GBP: 2, EUR: 2, JPY: 0 };

export class MoneyFormatError extends Error {
  override name = 'MoneyFormatError';
}

export function currencyDecimals(currency: string): number {
  const decimals = Object.hasOwn(CURRENCY_DECIMALS, currency) ? CURRENCY_DECIMALS[currency] : undefined;
  if (decimals === undefined) throw new MoneyFormatError(`unsupported currency ${currency}`);
  return decimals;
}

/**
 * "19.99" -> 1999n (USD), "1980" -> 1980n (JPY). Fewer decimals than the currency has are fine
 * ("19.5"), more are an error ("19.999" USD, "1980.5" JPY), and so is anything but digits.
 */
export function parseMoney(text: string, currency: string, { allowNegative = false } = {}): bigint {
  const decimals = currencyDecimals(currency);
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new MoneyFormatError(`"${text}" is not a decimal amount`);
  const [, sign, whole, fraction = ''] = m;
  if (sign === '-' && !allowNegative) throw new MoneyFormatError(`"${text}" must not be negative`);
  if (fraction.length > decimals) {
    throw new MoneyFormatError(`"${text}" has more than ${decimals} decimal place(s) for ${currency}`);
  }
  const minor = BigInt(whole!) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
  return sign === '-' ? -minor : minor;
}

/** 1999n -> "19.99" (USD), -500n -> "-5.00", 1980n -> "1980" (JPY). */
export function formatMoney(minor: bigint, currency: string): string {
  const decimals = currencyDecimals(currency);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(decimals + 1, '0');
  const text = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return negative ? `-${text}` : text;
}

export function money(minor: bigint, currencyCode: string): { amount: string; currencyCode: string } {
  return { amount: formatMoney(minor, currencyCode), currencyCode };
}

/** `amount * basisPoints / 10000`, rounded half up (amount >= 0). */
export function percentOf(amount: bigint, basisPoints: number): bigint {
  if (amount < 0n) throw new MoneyFormatError('percentOf expects a non-negative amount');
  return (amount * BigInt(basisPoints) + 5000n) / 10000n;
}

export function sum(values: Iterable<bigint>): bigint {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}
