/**
 * Money without floats. Amazon sends decimal strings ("11.01"); the module keeps them as strings
 * and does arithmetic on bigint ten-thousandths ("e4"), which covers every currency Amazon uses
 * (at most three decimals) exactly.
 */

export const SCALE = 4;
const FACTOR = 10n ** BigInt(SCALE);
const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

export class MoneyFormatError extends Error {
  override name = 'MoneyFormatError';
}

/** "11.01" -> 110100n. Rejects anything that is not a plain decimal with at most 4 decimals. */
export function toE4(amount: string): bigint {
  const match = DECIMAL.exec(amount.trim());
  if (!match) throw new MoneyFormatError(`"${amount}" is not a decimal amount`);
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > SCALE) throw new MoneyFormatError(`"${amount}" has more than ${SCALE} decimals`);
  const value = BigInt(whole) * FACTOR + BigInt(fraction.padEnd(SCALE, '0'));
  return sign ? -value : value;
}

export function isDecimalAmount(amount: string): boolean {
  const match = DECIMAL.exec(amount.trim());
  return match !== null && (match[3] ?? '').length <= SCALE;
}

/** 110100n -> "11.01" (at least `minDecimals` decimals, trailing zeros beyond that dropped). */
export function fromE4(value: bigint, minDecimals = 2): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / FACTOR;
  let fraction = (abs % FACTOR).toString().padStart(SCALE, '0');
  while (fraction.length > minDecimals && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Sum of decimal strings, as a decimal string. */
export function sumAmounts(amounts: Array<string | null | undefined>, minDecimals = 2): string {
  return fromE4(
    amounts.reduce<bigint>((total, amount) => total + (amount ? toE4(amount) : 0n), 0n),
    minDecimals,
  );
}

/** amount / qty, exact or refused: a unit price that does not divide evenly is not invented. */
export function divideAmount(amount: string, qty: number): string {
  const value = toE4(amount);
  const divisor = BigInt(qty);
  if (divisor <= 0n) throw new MoneyFormatError(`cannot divide ${amount} by ${qty}`);
  if (value % divisor !== 0n) throw new MoneyFormatError(`${amount} does not divide evenly by ${qty}`);
  return fromE4(value / divisor);
}

const decimalsByCurrency = new Map<string, number>();

/** How many decimals a currency is written with (ISO 4217: USD 2, JPY 0); 2 for a malformed code. */
export function currencyDecimals(currencyCode: string): number {
  let decimals = decimalsByCurrency.get(currencyCode);
  if (decimals === undefined) {
    try {
      decimals = new Intl.NumberFormat('en', { style: 'currency', currency: currencyCode }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      decimals = 2;
    }
    // Building a NumberFormat costs a good part of a millisecond; there are few currencies.
    if (decimalsByCurrency.size < 1_000) decimalsByCurrency.set(currencyCode, decimals);
  }
  return decimals;
}

/** Display an amount in its currency, e.g. "$1,234.50", "¥1,200", "12,00 €" (per locale). */
export function formatMoney(amount: string, currencyCode: string, locale = 'en-US'): string {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency: currencyCode });
  // Intl formats a decimal string exactly (no float round trip) since ES2023.
  return format.format(amount as unknown as number);
}
