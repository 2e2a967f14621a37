/**
 * Order grid filters as people type them (admin form fields, CLI flags), parsed into an
 * OrderGridFilter or a message per bad field. A bad field never discards the good ones.
 */
import { isDecimalAmount, toE4 } from '../money.ts';
import { GRID_STATUSES, type GridStatus } from './rules.ts';
import type { OrderGridFilter } from './order-grid.ts';
import { quoted } from '../text.ts';

export interface GridFilterInput {
  statuses?: string[];
  from?: string;
  to?: string;
  buyer?: string;
  orderNumber?: string;
  min?: string;
  max?: string;
  /** One of ATTENTION_FILTERS' values ("1" also as "true" or "yes"); "" or absent: all. */
  attention?: string;
}

/** The "Needs attention" filter: its value in URLs, what it selects, and its words. */
export const ATTENTION_FILTERS = [
  { value: '1', attention: 'any', label: 'Blocked or in Error' },
  { value: 'blocked', attention: 'blocked', label: 'Blocked from import' },
  { value: 'error', attention: 'error', label: 'In Error' },
  { value: 'ship-by', attention: 'ship-by', label: 'To ship within 24 h or overdue' },
] as const satisfies ReadonlyArray<{ value: string; attention: NonNullable<OrderGridFilter['attention']>; label: string }>;

/** The longest search texts: the columns they are searched in (amazon_order.buyer_search, amazon_order_id). */
export const SEARCH_CHARS = { buyer: 255, orderNumber: 32 } as const;

/** How far ahead "to ship within 24 h" looks. */
export const SHIP_BY_SOON_MS = 24 * 60 * 60 * 1000;

export type GridFilterField = keyof GridFilterInput;

export interface GridFilterError {
  field: GridFilterField;
  message: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * "2026-11-26" (a whole UTC day) or a full ISO-8601 instant. Calendar-checked: 2026-02-30 and
 * 2026-13-40 are refused, not rolled over.
 */
export function parseDateInput(value: string): { start: Date; wholeDay: boolean } | null {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const date = new Date(Date.UTC(y, m - 1, d));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
    return { start: date, wholeDay: true };
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return null;
  const [y, m, d] = value.slice(0, 10).split('-').map(Number);
  // Date() rolls 2026-02-30T.. over to March: refuse what is not on the calendar.
  const local = new Date(Date.UTC(y, m - 1, d));
  if (local.getUTCMonth() !== m - 1 || local.getUTCDate() !== d) return null;
  return { start: date, wholeDay: false };
}

/** `now` (the host's clock) places the ship-by filter's horizon. */
export function parseGridFilter(storeId: number, input: GridFilterInput, now: Date = new Date()): { filter: OrderGridFilter; errors: GridFilterError[] } {
  const filter: OrderGridFilter = { storeId };
  const errors: GridFilterError[] = [];
  const text = (value: string | undefined) => (value ?? '').trim();

  const statuses = (input.statuses ?? []).map((s) => s.trim()).filter((s) => s !== '');
  const unknown = statuses.filter((s) => !(GRID_STATUSES as readonly string[]).includes(s));
  if (unknown.length > 0) errors.push({ field: 'statuses', message: `unknown status ${unknown.map((s) => quoted(s)).join(', ')} (allowed: ${GRID_STATUSES.join(', ')})` });
  const known = statuses.filter((s): s is GridStatus => (GRID_STATUSES as readonly string[]).includes(s));
  if (known.length > 0) filter.statuses = known;

  const from = text(input.from);
  if (from !== '') {
    const parsed = parseDateInput(from);
    if (parsed) filter.from = parsed.start;
    else errors.push({ field: 'from', message: `${quoted(from)} is not a date (use YYYY-MM-DD)` });
  }
  const to = text(input.to);
  if (to !== '') {
    const parsed = parseDateInput(to);
    // A day given as "to" includes that whole day.
    if (parsed) filter.to = parsed.wholeDay ? new Date(parsed.start.getTime() + DAY_MS) : parsed.start;
    else errors.push({ field: 'to', message: `${quoted(to)} is not a date (use YYYY-MM-DD)` });
  }
  if (filter.from && filter.to && filter.from.getTime() >= filter.to.getTime()) {
    errors.push({ field: 'to', message: 'must not be before the start date' });
    delete filter.to;
  }

  for (const field of ['min', 'max'] as const) {
    const value = text(input[field]);
    if (value === '') continue;
    if (value.length > 40) {
      errors.push({ field, message: 'is not an amount (too long)' });
      continue;
    }
    if (isDecimalAmount(value) && !value.startsWith('-')) filter[field] = value;
    else errors.push({ field, message: `${quoted(value)} is not an amount (digits with up to 4 decimals, e.g. 19.99)` });
  }
  if (filter.min !== undefined && filter.max !== undefined && toE4(filter.min) > toE4(filter.max)) {
    errors.push({ field: 'max', message: 'must not be less than the minimum total' });
    delete filter.max;
  }

  // No longer than what they are searched in: a longer text matches nothing and costs a scan.
  const buyer = text(input.buyer);
  if (buyer.length > SEARCH_CHARS.buyer) errors.push({ field: 'buyer', message: `must be at most ${SEARCH_CHARS.buyer} characters (a buyer name is no longer)` });
  else if (buyer !== '') filter.buyer = buyer;
  const orderNumber = text(input.orderNumber);
  if (orderNumber.length > SEARCH_CHARS.orderNumber) errors.push({ field: 'orderNumber', message: `must be at most ${SEARCH_CHARS.orderNumber} characters (an Amazon order number is no longer)` });
  else if (orderNumber !== '') filter.orderNumber = orderNumber;
  const attention = text(input.attention).toLowerCase();
  const chosen = ATTENTION_FILTERS.find((f) => f.value === (['true', 'yes'].includes(attention) ? '1' : attention));
  if (chosen) filter.attention = chosen.attention;
  if (chosen?.attention === 'ship-by') filter.shipByBefore = new Date(now.getTime() + SHIP_BY_SOON_MS);
  if (!chosen && !['', '0', 'false', 'no'].includes(attention)) {
    errors.push({ field: 'attention', message: `${quoted(attention)} is not one of yes, no, ${ATTENTION_FILTERS.slice(1).map((f) => f.value).join(', ')}` });
  }
  return { filter, errors };
}
