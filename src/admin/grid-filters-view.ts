/**
 * View model of the "Filter by" form and the applied-filter chips. The form is a plain GET form;
 * each chip is a link to the same grid without that one filter.
 */
import { ATTENTION_FILTERS, parseDateInput, type GridFilterInput } from '../orders/grid-filter-input.ts';
import { GRID_STATUSES } from '../orders/rules.ts';
import { DEFAULT_PAGE_SIZE, gridQuery, hasFilters, type GridState } from './grid-state.ts';
import { DEFAULT_SORT } from '../orders/order-grid.ts';
import { quoted } from '../text.ts';

export interface FieldView {
  name: string;
  id: string;
  label: string;
  value: string;
  error: string | null;
}

export interface ChipView {
  label: string;
  href: string;
}

export interface FilterFormView {
  action: string;
  dates: { from: FieldView; to: FieldView };
  totals: { min: FieldView; max: FieldView };
  buyer: FieldView;
  /** All Orders only; Recent Orders filters like the original (no order number). */
  orderNumber: FieldView | null;
  /** Radio choices: every order, or one of ATTENTION_FILTERS. */
  attention: { choices: Array<{ id: string; value: string; label: string; checked: boolean }>; error: string | null } | null;
  statuses: Array<{ id: string; value: string; checked: boolean }>;
  statusError: string | null;
  statusErrorId: string;
  /** Sort and page size survive a new search. */
  hidden: Array<{ name: string; value: string }>;
  errorCount: number;
  chips: ChipView[];
  clearHref: string | null;
}

const ATTENTION_CHOICES = [{ value: '', label: 'All orders' }, ...ATTENTION_FILTERS.map(({ value, label }) => ({ value, label }))];

function field(state: GridState, prefix: string, name: keyof GridState['typed'] & keyof GridState['errors'], label: string): FieldView {
  return { name, id: `${prefix}-${name}`, label, value: String(state.typed[name]), error: state.errors[name] ?? null };
}

/**
 * A purchase date box. It is `<input type="date">` (the browser's calendar, in the merchant's own
 * date format), which can hold only a calendar day and shows anything else blank: so a refused value
 * (an edited link, e.g. 2026-13-40) is not put in the box, and the message says what happened
 * instead of asking for a YYYY-MM-DD format the box does not show.
 */
function dateField(state: GridState, prefix: string, name: 'from' | 'to', label: string): FieldView {
  const base = field(state, prefix, name, label);
  const typed = base.value.trim();
  const day = /^\d{4}-\d{2}-\d{2}$/.test(typed) && parseDateInput(typed) !== null;
  const refused = typed !== '' && parseDateInput(typed) === null;
  return { ...base, value: day ? typed : '', error: refused ? `${quoted(typed)} is not a valid date and was not applied. Choose a date.` : base.error };
}

function chips(state: GridState, pathFor: (query: URLSearchParams) => string): ChipView[] {
  const applied = state.applied;
  const without = (...names: Array<keyof GridFilterInput>): string => {
    const rest: GridFilterInput = { ...applied };
    for (const name of names) delete rest[name];
    return pathFor(gridQuery(state, { applied: rest }));
  };
  const result: ChipView[] = [];
  const range = (from: string | undefined, to: string | undefined) =>
    from !== undefined && to !== undefined ? `${from} – ${to}` : from !== undefined ? `from ${from}` : `up to ${to}`;
  if (applied.from !== undefined || applied.to !== undefined) {
    result.push({ label: `Purchase Date: ${range(applied.from, applied.to)}`, href: without('from', 'to') });
  }
  if (applied.orderNumber !== undefined) result.push({ label: `Order Number: ${applied.orderNumber}`, href: without('orderNumber') });
  if (applied.buyer !== undefined) result.push({ label: `Buyer Name: ${applied.buyer}`, href: without('buyer') });
  if (applied.min !== undefined || applied.max !== undefined) {
    result.push({ label: `Grand Total: ${range(applied.min, applied.max)}`, href: without('min', 'max') });
  }
  for (const status of applied.statuses ?? []) {
    const rest: GridFilterInput = { ...applied, statuses: (applied.statuses ?? []).filter((s) => s !== status) };
    result.push({ label: `Status: ${status}`, href: pathFor(gridQuery(state, { applied: rest })) });
  }
  const attention = ATTENTION_FILTERS.find((f) => f.value === applied.attention);
  if (attention) result.push({ label: attention.value === '1' ? 'Needs attention' : attention.label, href: without('attention') });
  return result;
}

export function filterFormView(
  state: GridState,
  options: { prefix: string; action: string; pathFor: (query: URLSearchParams) => string; orderNumber: boolean },
): FilterFormView {
  const { prefix } = options;
  const hidden: FilterFormView['hidden'] = [];
  if (state.sort.column !== DEFAULT_SORT.column || state.sort.direction !== DEFAULT_SORT.direction) {
    hidden.push({ name: 'sort', value: state.sort.column }, { name: 'dir', value: state.sort.direction });
  }
  if (state.pageSize !== DEFAULT_PAGE_SIZE) hidden.push({ name: 'pageSize', value: String(state.pageSize) });
  const typedStatuses = new Set(state.typed.statuses);
  return {
    action: options.action,
    dates: { from: dateField(state, prefix, 'from', 'From'), to: dateField(state, prefix, 'to', 'To') },
    totals: { min: field(state, prefix, 'min', 'Minimum'), max: field(state, prefix, 'max', 'Maximum') },
    buyer: field(state, prefix, 'buyer', 'Buyer Name'),
    orderNumber: options.orderNumber ? field(state, prefix, 'orderNumber', 'Order Number') : null,
    attention:
      options.orderNumber || state.applied.attention !== undefined
        ? {
            choices: ATTENTION_CHOICES.map((choice, index) => ({ ...choice, id: `${prefix}-attention-${index}`, checked: choice.value === (state.applied.attention ?? '') })),
            error: state.errors.attention ?? null,
          }
        : null,
    statuses: GRID_STATUSES.map((status, index) => ({ id: `${prefix}-status-${index}`, value: status, checked: typedStatuses.has(status) })),
    statusError: state.errors.statuses ?? null,
    statusErrorId: `${prefix}-status-error`,
    hidden,
    errorCount: Object.keys(state.errors).length,
    chips: chips(state, options.pathFor),
    clearHref: hasFilters(state.applied) ? options.pathFor(gridQuery(state, { applied: {} })) : null,
  };
}
