/**
 * Display formatting for view models: instants as UTC text, money in the order's currency,
 * durations in words. Everything the templates print is a string made here.
 */
import type { CustomerAddress } from '../amazon/models.ts';
import { formatMoney } from '../money.ts';
import { MARKETPLACES } from '../stores/marketplaces.ts';
import { authorizationProblem, type AmazonStore, type StoreAuthorization } from '../stores/store.ts';

export interface TimeText {
  /** Machine-readable, for `<time datetime>`. */
  iso: string;
  /** "2026-11-26 09:45 UTC" */
  text: string;
}

export function timeText(date: Date): TimeText {
  const iso = date.toISOString();
  return { iso, text: `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` };
}

export function timeTextOrNull(date: Date | null): TimeText | null {
  return date ? timeText(date) : null;
}

/** An instant Amazon sent as text; shown as sent if it does not parse, never a failed page. */
export function amazonTimeText(value: string | undefined): TimeText | null {
  if (value === undefined || value === '') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? { iso: '', text: value } : timeText(date);
}

/** "$1,234.50"; an amount in a currency Intl does not know is shown as "1234.50 XXX", never dropped. */
export function moneyText(amount: string | null, currencyCode: string | null): string {
  if (amount === null) return '';
  if (currencyCode === null) return amount;
  try {
    return formatMoney(amount, currencyCode);
  } catch {
    return `${amount} ${currencyCode}`;
  }
}

/** "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function durationText(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

const regionNames = new Intl.DisplayNames('en', { type: 'region' });

/** "United States (ATVPDKIKX0DER)". */
export function marketplaceText(marketplaceId: string): string {
  const marketplace = MARKETPLACES.get(marketplaceId);
  if (!marketplace) return marketplaceId;
  return `${regionNames.of(marketplace.country) ?? marketplace.country} (${marketplaceId})`;
}

function countryName(code: string): string {
  try {
    return regionNames.of(code.toUpperCase()) ?? code;
  } catch {
    // Not a region code Intl knows the shape of: shown as Amazon sent it.
    return code;
  }
}

/**
 * A delivery address as printed lines, one layout for every country: the street lines, the district,
 * "City, STATE POSTAL", then the country's name. Parts Amazon did not send are left out.
 */
export function addressLines(address: CustomerAddress): string[] {
  const present = (part: string | undefined): part is string => part !== undefined && part.trim() !== '';
  const regionAndPostal = [address.stateOrRegion, address.postalCode].filter(present).join(' ');
  const locality = [address.city ?? address.municipality, regionAndPostal].filter(present).join(', ');
  return [address.addressLine1, address.addressLine2, address.addressLine3, address.districtOrCounty, locality, address.countryCode && countryName(address.countryCode)]
    .filter(present)
    .map((line) => line.trim());
}

/** A CSS modifier for a grid status, e.g. "Partially Shipped" -> "partially-shipped". */
export function statusSlug(status: string): string {
  return status.toLowerCase().replace(/[^a-z]+/g, '-');
}

const AUTHORIZATION_BADGES: Record<StoreAuthorization, { text: string; tone: string }> = {
  authorized: { text: 'Connected', tone: 'ok' },
  rejected: { text: 'Reconnect needed', tone: 'bad' },
  disconnected: { text: 'Disconnected', tone: 'warn' },
};

/** A store's Amazon authorization as its card and dashboard show it: a badge, and what to do when it is not Connected. */
export function authorizationView(store: Pick<AmazonStore, 'authorization' | 'authorizationNote'>): { text: string; tone: string; note: string | null } {
  return { ...AUTHORIZATION_BADGES[store.authorization], note: authorizationProblem(store) };
}
